-- The call tracker's state of each call (legs, milestones), so tracking resumes after a restart.
ALTER TABLE call_history ADD COLUMN state TEXT CHECK (state IS NULL OR json_valid(state));
