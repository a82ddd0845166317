-- Meetings, the members' answers (RSVP) and who actually came.

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL DEFAULT 120,
    place TEXT NOT NULL,
    agenda TEXT,
    quorum INTEGER,
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    sequence INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX meetings_by_group ON meetings(group_id, starts_at);

-- /forget removes a person's answers with the person (ON DELETE CASCADE); tallies shown
-- afterwards count only people who are still members.
CREATE TABLE rsvps (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    attended INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);
