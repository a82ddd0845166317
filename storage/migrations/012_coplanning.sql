-- Co-planning (issue 13): proposal rounds, proposals with versions and co-authors, the
-- discussion (stances and arguments), secret capped-approval ballots, the consent round on
-- the group's opinion, and what became of each proposal (fate tracking).

CREATE TABLE proposal_rounds (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    -- What the round feeds: strategic_plan | performance_programme | budget | yeep
    feeds TEXT NOT NULL,
    year INTEGER NOT NULL,
    -- End of each phase (UTC): collecting → discussing → voting → adopting.
    collect_until TEXT NOT NULL,
    discuss_until TEXT NOT NULL,
    vote_until TEXT NOT NULL,
    adopt_until TEXT NOT NULL,
    max_picks INTEGER NOT NULL DEFAULT 3,
    quorum INTEGER,
    -- Set when the vote is counted (the ranking is frozen in proposal_results) and when the
    -- consent round ends (the opinion is final).
    counted_at TEXT,
    adopted_at TEXT,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX proposal_rounds_by_group ON proposal_rounds(group_id, vote_until);

CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES proposal_rounds(id) ON DELETE CASCADE,
    -- Stable reference the council's decision can be matched back to, e.g. KARS-2027-B-003.
    ref TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    plan_item TEXT,
    beneficiaries TEXT,
    effect TEXT,
    evidence_file_id TEXT,
    evidence_channel TEXT,
    -- NULL after the author used /forget (then shown as "a member's proposal").
    author_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'withdrawn')),
    merged_into INTEGER REFERENCES proposals(id) ON DELETE SET NULL,
    status_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    -- Fate: pending | adopted | partly | rejected, with the council's stated reason.
    outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'adopted', 'partly', 'rejected')),
    outcome_reason TEXT,
    resubmitted_from INTEGER REFERENCES proposals(id) ON DELETE SET NULL,
    flagged_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX proposals_by_round ON proposals(round_id, status);
CREATE INDEX proposals_by_author ON proposals(author_id);

CREATE TABLE proposal_versions (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, version)
);

CREATE TABLE proposal_coauthors (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, member_id)
);

-- One stance per member and proposal (agree | disagree | pass), and at most one argument.
CREATE TABLE proposal_stances (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    stance TEXT NOT NULL CHECK (stance IN ('agree', 'disagree', 'pass')),
    argument TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, member_id)
);

-- Secret ballots: read only to count, and by the voter herself to show her own picks.
CREATE TABLE proposal_ballots (
    round_id INTEGER NOT NULL REFERENCES proposal_rounds(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    picked_at TEXT NOT NULL,
    PRIMARY KEY (round_id, member_id, proposal_id)
);

-- The count frozen at the close: survives /forget of voters.
CREATE TABLE proposal_results (
    round_id INTEGER NOT NULL REFERENCES proposal_rounds(id) ON DELETE CASCADE,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    votes INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    tied INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, proposal_id)
);
CREATE TABLE proposal_turnout (
    round_id INTEGER PRIMARY KEY REFERENCES proposal_rounds(id) ON DELETE CASCADE,
    voters INTEGER NOT NULL,
    members INTEGER NOT NULL
);

-- The consent round on the draft opinion: agree | reservation | object (with a reason).
CREATE TABLE opinion_consents (
    round_id INTEGER NOT NULL REFERENCES proposal_rounds(id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    answer TEXT NOT NULL CHECK (answer IN ('agree', 'reservation', 'object')),
    reason TEXT,
    answered_at TEXT NOT NULL,
    UNIQUE (round_id, member_id)
);

-- What happened to a proposal after the group adopted its opinion: hand-off steps and the
-- council's decision (Law 5393 art. 76: the city council's opinion goes on the next
-- municipal council agenda).
CREATE TABLE proposal_events (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    step TEXT NOT NULL CHECK (step IN ('executive_board', 'general_assembly', 'council_agenda', 'decision')),
    happened_on TEXT NOT NULL,
    reference TEXT,
    outcome TEXT CHECK (outcome IN ('pending', 'adopted', 'partly', 'rejected')),
    reason TEXT,
    evidence_file_id TEXT,
    recorded_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX proposal_events_by_proposal ON proposal_events(proposal_id, id);
