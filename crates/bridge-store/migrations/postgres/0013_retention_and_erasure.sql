-- Retention and erasure, postgres dialect (the other dialect has the same table and columns).
--
-- A company's retention period is `retention_days` in companies.settings (JSON; absent or
-- null: keep everything). Records deleted in Personio or outside the filters for longer are
-- purged: the row, its change index entry, its pending events.
--
-- erased_employees: the tombstones of people erased from the store. Only the id, when and by
-- whom: a later sync skips this employee id and every record that belongs to them, until the
-- operator allows the person again (which removes the tombstone).

CREATE TABLE erased_employees (
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    employee_id BIGINT NOT NULL,
    erased_at TEXT NOT NULL,
    erased_by TEXT NOT NULL,
    PRIMARY KEY (company_id, employee_id)
);
