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
    -- The calendar SEQUENCE: grows with every change people are told about.
    sequence INTEGER NOT NULL DEFAULT 0,
    -- Set by the first tap on the attendance sheet: from then on, everyone who was a member
    -- when the meeting started and is not ticked counts as absent in the history.
    attendance_taken_at TEXT,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX meetings_by_group ON meetings(group_id, starts_at);

-- An answer is about a person's plans: /forget deletes it with the person.
CREATE TABLE rsvps (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX rsvps_by_member ON rsvps(member_id);

-- Attendance outlives /forget only as an anonymous row (member_id NULL), so a meeting's
-- head count in the group's records does not change when someone leaves.
CREATE TABLE attendance (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    attended INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (meeting_id, member_id)
);
CREATE INDEX attendance_by_member ON attendance(member_id);
