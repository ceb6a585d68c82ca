-- Periods are looked up per employee and time (break minutes, exports, reconciliation
-- windows): one index on both keeps those lookups from scanning every period.
CREATE INDEX attendance_periods_employee_start ON attendance_periods (company_id, employee_id, start);
CREATE INDEX absence_periods_employee_start ON absence_periods (company_id, employee_id, start);
