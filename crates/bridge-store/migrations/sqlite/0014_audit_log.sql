-- The audit log, sqlite dialect (the other dialect has the same table and columns).
--
-- One row per operator action (sign-in, failed sign-in, link, relink, settings change, API key
-- created or revoked, export, purge, erase) and per write to Personio through the bridge,
-- appended and never changed: triggers refuse updates and deletes. It holds no secret and no
-- personal data of the records: names of actors, companies and resources, ids, outcomes.
--
-- actor: who acted (`operator` for the pages, `key:<name>` for an API key, `cli:<user>` for
--   the command line, `write` for a write whose caller the journal does not know).
-- action: what was done (`sign_in`, `sign_in.failed`, `company.linked`, `settings.changed`,
--   `write.succeeded`, ...). company: the company's name, if one was concerned.
-- resource, record_id: the table and record concerned, if any. outcome: how it ended.
-- detail: JSON with the rest (counts, the idempotency key of a write, the fields changed).
-- Times are fixed-width UTC text with milliseconds, so text order is time order.

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    company TEXT,
    resource TEXT,
    record_id TEXT,
    outcome TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
