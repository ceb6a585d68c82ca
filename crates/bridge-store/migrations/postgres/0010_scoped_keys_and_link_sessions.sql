-- Scoped API keys and link sessions, postgres dialect (the other dialect has the same tables and columns).
--
-- api_keys.scopes: what a key may do, space-separated from read, write, link, admin. Keys made
--   before scopes existed read every company, as they always did.
-- api_keys.companies: the company names a key is limited to, space-separated; empty: every
--   company. Names, not ids: a `link` key may name a company that is not linked yet.
-- link_sessions: a link a vendor sends its customer's Personio admin. The token in its URL is
--   derived from the store's key and the session's id, and only its SHA-256 is stored here;
--   `base_url` is where the company's Personio API is; `csrf` is the token the link page's form carries. `failed_attempts` counts submissions
--   Personio or the checks refused; `linked_at` is set once, by the submission that linked.

ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read';
ALTER TABLE api_keys ADD COLUMN companies TEXT NOT NULL DEFAULT '';

CREATE TABLE link_sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    company TEXT NOT NULL,
    base_url TEXT NOT NULL,
    display_name TEXT,
    redirect_url TEXT NOT NULL,
    state TEXT,
    resources TEXT NOT NULL,
    access TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    linked_at TEXT,
    failed_attempts INTEGER NOT NULL DEFAULT 0
);
