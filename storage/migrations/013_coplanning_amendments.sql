-- Co-planning: amendments a member suggests to someone else's proposal, accepted or rejected
-- by the author with one tap (an accepted one becomes a new version of the text).
CREATE TABLE proposal_amendments (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX proposal_amendments_by_proposal ON proposal_amendments(proposal_id, status);
