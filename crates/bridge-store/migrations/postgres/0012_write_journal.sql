-- The write journal, postgres dialect (the other dialect has the same table and columns).
--
-- One row per write to Personio, keyed by the company and the caller's idempotency key. It
-- is written before anything is sent and moved on after each step, so that a write whose
-- outcome is unknown (a timeout, a reset, a crash) is resolved by reading Personio before
-- anything is sent again, and the same key always answers the first outcome.
--
-- resource, operation: what is written (`attendance_periods`, `create|update|delete`).
-- target_id: the record's Personio id (given for updates and deletes; learnt for creates).
-- request: the intent as canonical JSON; request_hash: its SHA-256, to refuse a key reused
--   with another request.
-- state: pending (nothing sent), sending (a request may be on the wire), unknown (sent, the
--   answer does not tell), accepted (Personio took it; the record is not stored yet),
--   succeeded or refused (final).
-- outcome: JSON of the final answer (the refusal's status and Personio's body).
-- sends: requests sent so far; reads: resolving reads so far.
-- Times are fixed-width UTC text with milliseconds, so text order is time order.

CREATE TABLE write_journal (
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    resource TEXT NOT NULL,
    operation TEXT NOT NULL,
    target_id TEXT,
    request TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    sends BIGINT NOT NULL DEFAULT 0,
    reads BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, idempotency_key)
);

CREATE INDEX write_journal_open ON write_journal (company_id, state, created_at);
