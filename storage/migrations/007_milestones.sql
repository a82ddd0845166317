-- Plan milestones (issue 11): dated steps of the municipal plan cycle a working group must not
-- miss, and the members who turned the short weekly digest off.

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- The due moment in UTC; for a date-only milestone, the end of the working day (17:00)
    -- in the group's zone on that date.
    due_at TEXT NOT NULL,
    has_time INTEGER NOT NULL DEFAULT 0,
    audience TEXT NOT NULL DEFAULT 'group' CHECK (audience IN ('coordinators', 'group')),
    offsets TEXT NOT NULL DEFAULT '[14, 7, 1, 0]',  -- JSON list of days before the due date
    indicator_code TEXT,                             -- e.g. "I9" (bot/content/indicators.toml)
    survey_template_code TEXT,                       -- a survey template reporting it
    template_code TEXT,                              -- "<entry>@<year>" when loaded from plan_cycle.toml
    legal_basis TEXT,
    notes TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dismissed')),
    sequence INTEGER NOT NULL DEFAULT 0,             -- grows with every date change
    done_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    done_at TEXT,
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (group_id, template_code)
);
CREATE INDEX milestones_by_group ON milestones(group_id, status, due_at);

CREATE TABLE digest_optouts (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    since TEXT NOT NULL
);
