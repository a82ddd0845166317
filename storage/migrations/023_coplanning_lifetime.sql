-- Co-planning rounds last the whole cycle (issue 17): a round stays reachable until every
-- proposal has a recorded fate or a coordinator archives it; the 60-day "no answer yet" flag
-- counts from the day the opinion went to the council (NULL: the adoption date).
ALTER TABLE proposal_rounds ADD COLUMN archived_at TEXT;
ALTER TABLE proposal_rounds ADD COLUMN archived_by INTEGER;
-- The day (YYYY-MM-DD, group's calendar) the coordinator says the opinion went to the council.
ALTER TABLE proposal_rounds ADD COLUMN sent_on TEXT;
