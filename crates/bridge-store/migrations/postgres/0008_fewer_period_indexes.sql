-- Every index is written on every insert. The per-employee lookups of periods are served by
-- the (company_id, employee_id, start) indexes of 0002, which make these two redundant.
DROP INDEX attendance_periods_employee_id;
DROP INDEX absence_periods_employee_id;
