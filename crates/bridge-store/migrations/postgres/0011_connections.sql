-- Connection health and per-company settings, postgres dialect (the other dialect has the same
-- columns).
--
-- companies.connection_status: 'linked', or 'broken' once Personio refused the stored
--   credential (401, or an area the company's resources need now 403); connection_reason
--   says why, connection_since since when. Scheduled syncs of a broken company pause until
--   it is linked again.
-- companies.settings: JSON {"resources": [...], "api": "auto|v1|v2", "full_reconcile_days": N};
--   the sync interval and the filters keep their own columns.
-- companies.full_reconciled_at: when the latest scheduled full reconciliation began (NULL:
--   never), so the scheduler knows when the next one is due.
-- webhook_events.data: the payload of events not about a record (connection.*), JSON.

ALTER TABLE companies ADD COLUMN connection_status TEXT NOT NULL DEFAULT 'linked';
ALTER TABLE companies ADD COLUMN connection_reason TEXT;
ALTER TABLE companies ADD COLUMN connection_since TEXT;
UPDATE companies SET connection_since = created_at;
ALTER TABLE companies ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE companies ADD COLUMN full_reconciled_at TEXT;
ALTER TABLE webhook_events ADD COLUMN data TEXT;
