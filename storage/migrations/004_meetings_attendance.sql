-- Meetings, second cut (issue 10): the moment attendance was first taken, an index for a
-- member's answers, and attendance rows that outlive /forget anonymously.

-- Set by the first tap on the attendance sheet: from then on, everyone who was a member
-- when the meeting started and is not ticked counts as absent in the history.
ALTER TABLE meetings ADD COLUMN attendance_taken_at TEXT;

CREATE INDEX rsvps_by_member ON rsvps(member_id);

-- Attendance outlives /forget only as an anonymous row (member_id NULL), so a meeting's
-- head count in the group's records does not change when someone leaves.
CREATE TABLE attendance_new (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    attended INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (meeting_id, member_id)
);
INSERT INTO attendance_new (meeting_id, member_id, attended, recorded_at)
    SELECT meeting_id, member_id, attended, recorded_at FROM attendance;
DROP TABLE attendance;
ALTER TABLE attendance_new RENAME TO attendance;
CREATE INDEX attendance_by_member ON attendance(member_id);
