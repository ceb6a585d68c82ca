-- Change webhooks out, sqlite dialect (the other dialect has the same tables and columns).
--
-- webhook_subscriptions: who wants to hear of which changes. `events` is a JSON array of event
--   types (`employee.updated`, ...) or `["*"]`; `company_id` limits it to one company (NULL:
--   every company); `secret` is sealed like the companies' credentials and signs every
--   delivery. A deleted subscription keeps its row (and its delivery log) with `disabled_at`.
-- webhook_events: the outbox, written in the transaction that stored the change, and only
--   when some subscription wants it. `event_id` is the UUID receivers see; `changed` is a JSON
--   array of the normalized fields that changed. Kept until `expires_at`.
-- webhook_deliveries: one row per event and subscription. `status` is pending, delivered or
--   expired; a worker holds a pending one while `lease_until` lies ahead (`leased_by`), so it
--   is sent by one worker at a time; `next_attempt_at` is when it is due again after a failure;
--   `last_status`/`last_error` say how the latest attempt went.
-- Times are fixed-width UTC text with milliseconds, so text order is time order.

CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    company_id INTEGER REFERENCES companies(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE webhook_events (
    event_id TEXT PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    changed TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL REFERENCES webhook_events(event_id) ON DELETE CASCADE,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_by TEXT,
    lease_until TEXT,
    last_status INTEGER,
    last_error TEXT,
    delivered_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, id);
