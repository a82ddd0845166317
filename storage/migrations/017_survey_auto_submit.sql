-- A response that was never sent but had every required question answered when its survey
-- closed is submitted at the closing; `auto_submitted` = 1 marks it (shown in exports as
-- "gönderim: otomatik"). A started response missing a required answer stays unsubmitted and,
-- once the survey is closed, is reported as a partial response (tamamlanmamış yanıt).
ALTER TABLE survey_responses ADD COLUMN auto_submitted INTEGER NOT NULL DEFAULT 0;
