-- The service's own tables, postgres dialect (the other dialect has the same tables and columns).
--
-- service_settings: one row per setting of the running service (the admin password's argon2
--   hash, never the password).
-- api_keys: keys programs use for the REST API. Only a SHA-256 of each key is kept (keys are
--   random and long, so a fast hash is enough); `prefix` is the key's first characters, shown
--   in listings so an operator can tell keys apart.
-- admin_sessions: signed-in operators. `token_hash` is a SHA-256 of the cookie's value;
--   `csrf` is the token every form of that session carries.
-- record_changes: when each record last changed (created, updated, deleted, left the filters),
--   written in the transaction that changed it; the API's `updated_since` reads it.

CREATE TABLE service_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE api_keys (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE record_changes (
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (company_id, table_name, record_id)
);
CREATE INDEX record_changes_since ON record_changes (company_id, table_name, changed_at);
