-- Lessons in chat (issue 23): each member's place in each lesson, her quiz scores, and the
-- lessons offered to her (at most one offer a week; none again after "no thanks").
-- `lesson` is the lesson's slug (bot/content/lessons/*.toml or a group's own file).
CREATE TABLE lesson_progress (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    lesson TEXT NOT NULL,
    -- The next thing to show: parts 0..P-1, then quiz questions P..P+Q-1; P+Q = quiz done.
    step INTEGER NOT NULL DEFAULT 0,
    -- Right answers so far in the current quiz attempt.
    correct INTEGER NOT NULL DEFAULT 0,
    -- Quiz attempts completed; the last and the best score (percent right, 0–100).
    attempts INTEGER NOT NULL DEFAULT 0,
    last_score DOUBLE PRECISION,
    best_score DOUBLE PRECISION,
    -- First time she passed the quiz (NULL: not yet).
    passed_at TEXT,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (member_id, lesson)
);

CREATE TABLE lesson_offers (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    lesson TEXT NOT NULL,
    -- What prompted the offer: budget-round, monitoring-survey, propose, milestone, coordinator.
    reason TEXT NOT NULL,
    offered_at TEXT NOT NULL,
    declined_at TEXT,
    PRIMARY KEY (member_id, lesson)
);
CREATE INDEX lesson_offers_by_time ON lesson_offers(member_id, offered_at);
