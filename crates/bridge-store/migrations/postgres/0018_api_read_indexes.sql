-- An employee's page brings each person's live employments and cost center splits in key
-- order. With only (company_id, employee_id) SQLite chose the primary key instead (it gives
-- the order without a sort) and walked every employment of the company for each person: a
-- page of 100 people read 100 × all of them. With the key last, a person's rows come from
-- their own index already in order. These replace the two-column indexes, whose every use
-- the longer ones serve.
DROP INDEX employments_employee_id;
DROP INDEX employee_cost_centers_employee_id;
CREATE INDEX employments_employee_key ON employments (company_id, employee_id, id);
CREATE INDEX employee_cost_centers_employee_key ON employee_cost_centers (company_id, employee_id, id);

-- A month of attendance walks the company's periods in key order and skips the other months
-- (reading the start index instead would read and sort the whole month). With the start in
-- this index the skipping happens in the index; through the primary key every skipped period
-- cost a read of its row.
CREATE INDEX attendance_periods_key_start ON attendance_periods (company_id, id, start);
