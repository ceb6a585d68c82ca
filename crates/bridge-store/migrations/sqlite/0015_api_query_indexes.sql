-- The API lists one person's attendance and absence periods in key order: with the key last
-- in the index, the person's rows come already in that order (the (company_id, employee_id,
-- start) indexes of 0002 would leave every one of a person's periods to be read and sorted,
-- or the whole company's periods to be walked in key order).
CREATE INDEX attendance_periods_employee_key ON attendance_periods (company_id, employee_id, id);
CREATE INDEX absence_periods_employee_key ON absence_periods (company_id, employee_id, id);
