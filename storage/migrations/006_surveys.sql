-- Indicator surveys (issue 9): group-defined indicators, target cards (baseline + yearly
-- targets), forms, surveys sent to a group, who was asked, responses and typed answers.
-- The shipped indicator library and templates live in bot/content/ (TOML), not here.

-- A group's own indicators (the shipped ones come from bot/content/indicators.toml).
-- Texts are JSON objects {"tr": ..., "en": ...}.
CREATE TABLE indicators (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    answer_type TEXT NOT NULL CHECK (answer_type IN ('integer', 'decimal', 'percentage', 'yes_no')),
    explanation TEXT NOT NULL,
    source TEXT NOT NULL,
    frequency TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (group_id, code)
);

-- Target card (hedef kartı): the baseline (başlangıç değeri) with its year ...
CREATE TABLE indicator_baselines (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    indicator_code TEXT NOT NULL,
    baseline REAL,
    baseline_year INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (group_id, indicator_code)
);

-- ... and one target (hedef) per year.
CREATE TABLE indicator_targets (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    indicator_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    target REAL NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (group_id, indicator_code, year)
);

-- A form definition (SurveyForm as JSON). group_id NULL = not tied to a group (a copy of a
-- shipped template). A survey points at its own form row, so editing a group's template
-- later never changes what an earlier survey asked. `source`: template | group | adhoc | poll.
CREATE TABLE survey_forms (
    id INTEGER PRIMARY KEY,
    group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'template',
    is_template INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX survey_forms_by_group ON survey_forms(group_id, code);

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    form_id INTEGER NOT NULL REFERENCES survey_forms(id),
    kind TEXT NOT NULL DEFAULT 'survey' CHECK (kind IN ('survey', 'poll')),
    template TEXT,
    deadline TEXT NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    nudge_hours TEXT NOT NULL DEFAULT '[72, 24]',
    created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    -- where a poll's live-count message is, to edit it: {"channel":..., "chat":..., "message":...}
    poll_message TEXT
);
CREATE INDEX surveys_by_group ON surveys(group_id, status, deadline);

-- Who the survey was sent to and how far she got: the response rate's denominator, the
-- nudges' audience. For an anonymous survey the times are cut to the day and `token` links
-- her to her unfinished response only until she submits (then it is erased on both sides).
CREATE TABLE survey_recipients (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    invited_at TEXT NOT NULL,
    started_at TEXT,
    submitted_at TEXT,
    token TEXT,
    PRIMARY KEY (survey_id, member_id)
);
CREATE INDEX survey_recipients_by_member ON survey_recipients(member_id);

-- One response per member per survey (named), or per anonymous respondent (member_id NULL).
-- /forget deletes a member's named responses with her (CASCADE); anonymous ones carry no link.
CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,
    respondent_token TEXT,
    started_at TEXT NOT NULL,
    submitted_at TEXT,
    current_question TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (survey_id, member_id),
    UNIQUE (respondent_token)
);
CREATE INDEX survey_responses_by_member ON survey_responses(member_id);

-- Typed answer columns (see bot/services/surveys/model.py for which type uses which).
CREATE TABLE survey_answers (
    response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    value_num REAL,
    value_text TEXT,
    value_date TEXT,
    value_json TEXT,
    comment TEXT,
    evidence_kind TEXT,
    evidence_file_id TEXT,
    evidence_path TEXT,
    evidence_filename TEXT,
    evidence_mime TEXT,
    skipped INTEGER NOT NULL DEFAULT 0,
    answered_at TEXT,
    PRIMARY KEY (response_id, question)
);
