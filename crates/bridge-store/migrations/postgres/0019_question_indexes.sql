-- The questions of the MCP tools (questions.rs) read live people, their current employment
-- and the absences overlapping a span. These partial indexes hold every column those
-- questions read, so they are answered from the indexes alone: an employee's table row
-- carries its raw Personio JSON (several KB, past one page), with the liveness columns after
-- it. The liveness columns are in the indexes too, although always NULL there: SQLite uses a
-- partial index as covering only when it holds every column the query names.
CREATE INDEX employees_live ON employees
    (company_id, id, first_name, last_name, preferred_name, email, deleted_at, out_of_filter_at)
    WHERE deleted_at IS NULL AND out_of_filter_at IS NULL;
CREATE INDEX employments_live ON employments
    (company_id, employee_id, hire_date, id, department, team, status, position, office,
     supervisor_id, deleted_at, out_of_filter_at)
    WHERE deleted_at IS NULL AND out_of_filter_at IS NULL;
-- Absences overlapping a span, person by person: those that end on or after its first day
-- (an open end counts as the far future), then those that start by its last.
CREATE INDEX absence_periods_live_end ON absence_periods
    (company_id, employee_id, (COALESCE("end", '9999-12-31')), "start", id, absence_type_id,
     "end", start_half, end_half, status, deleted_at, out_of_filter_at)
    WHERE deleted_at IS NULL AND out_of_filter_at IS NULL;
