-- Personio's webhooks into the bridge, sqlite dialect (the other dialect has the same columns).
--
-- sync_jobs.requested_resources: the resources an out-of-schedule request asked for, comma
--   separated (an inbound webhook about absences asks for absences only); NULL asks for all.
-- personio_webhooks: the webhook the bridge registered with a company's Personio
--   (`POST /v2/webhooks`), so it can be removed on disconnect. `token_hash` is a SHA-256 of the
--   token Personio sends back in `Authorization` (random and long, so a fast hash is enough).

ALTER TABLE sync_jobs ADD COLUMN requested_resources TEXT;

CREATE TABLE personio_webhooks (
    company_id INTEGER NOT NULL PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    webhook_id TEXT NOT NULL,
    url TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    events TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_event_at TEXT
);
