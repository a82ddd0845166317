-- The monitoring report (issue 22): reasons for deviations per indicator and period, and
-- each adopted report (kept, dated, re-downloadable). Thresholds live in groups.settings.
CREATE TABLE deviation_reasons (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,            -- "2027-H1", "2027"
    reason TEXT,
    recommendation TEXT,
    updated_at TEXT NOT NULL,        -- UTC ISO
    PRIMARY KEY (group_id, indicator, period)
);

CREATE TABLE monitoring_reports (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    language TEXT NOT NULL,
    adopted_at TEXT NOT NULL,        -- UTC ISO
    filename TEXT NOT NULL,
    content BLOB NOT NULL,           -- the adopted .docx as it was adopted
    PRIMARY KEY (group_id, period)
);
