-- Personio Bridge schema, sqlite dialect (the other dialect has the same tables and columns).
--
-- companies: one row per connected Personio account. Secrets are AES-256-GCM sealed (base64 of
--   nonce || ciphertext, bound to the company and field); filters and grants are JSON.
-- sync_runs: every sync with its outcome. checkpoints: per company and resource, where a
--   listing stands (resumable) and how far incremental syncs have read (watermark).
-- Record tables carry the company, Personio's id, normalized columns, and
--   raw               Personio's JSON for the record, verbatim
--   source_updated_at Personio's own last-change time, when it has one
--   first_seen_at, last_seen_at   when a sync first and last read the record
--   deleted_at        when a sync found it gone from Personio (records are never dropped)
--   out_of_filter_at  when it left the company's filters (legal entity, status, office, department)
-- Times are UTC RFC 3339 text (YYYY-MM-DDTHH:MM:SSZ); days are YYYY-MM-DD; local wall-clock
-- times of attendances and absences are YYYY-MM-DDTHH:MM:SS without zone.

CREATE TABLE companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    base_url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    recruiting_token TEXT,
    recruiting_company_id INTEGER,
    filters TEXT NOT NULL DEFAULT '{}',
    granted TEXT NOT NULL DEFAULT '{}',
    sync_interval_minutes INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    outcome TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    requests INTEGER NOT NULL DEFAULT 0,
    summary TEXT NOT NULL DEFAULT '{}',
    error TEXT
);
CREATE INDEX sync_runs_company ON sync_runs (company_id, started_at);

CREATE TABLE checkpoints (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    resource TEXT NOT NULL,
    listing TEXT,
    watermark TEXT,
    last_full_at TEXT,
    last_reconciled_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, resource)
);

CREATE TABLE employees (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    first_name TEXT,
    last_name TEXT,
    preferred_name TEXT,
    email TEXT,
    gender TEXT,
    language TEXT,
    custom_attributes TEXT NOT NULL DEFAULT '{}',
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX employees_seen ON employees (company_id, last_seen_at);

CREATE TABLE employments (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    employee_id INTEGER NOT NULL,
    status TEXT,
    position TEXT,
    supervisor_id INTEGER,
    employment_type TEXT,
    weekly_working_hours REAL,
    full_time_weekly_working_hours REAL,
    hire_date TEXT,
    contract_end_date TEXT,
    probation_end_date TEXT,
    termination_date TEXT,
    termination_type TEXT,
    termination_reason TEXT,
    last_working_day TEXT,
    legal_entity_id INTEGER,
    legal_entity TEXT,
    office_id INTEGER,
    office TEXT,
    department_id INTEGER,
    department TEXT,
    team_id INTEGER,
    team TEXT,
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX employments_seen ON employments (company_id, last_seen_at);
CREATE INDEX employments_employee_id ON employments (company_id, employee_id);

CREATE TABLE employee_cost_centers (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    employee_id INTEGER NOT NULL,
    cost_center_id INTEGER NOT NULL,
    cost_center TEXT,
    percentage REAL NOT NULL,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX employee_cost_centers_seen ON employee_cost_centers (company_id, last_seen_at);
CREATE INDEX employee_cost_centers_employee_id ON employee_cost_centers (company_id, employee_id);

CREATE TABLE org_units (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    abbreviation TEXT,
    description TEXT,
    parent_id INTEGER,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX org_units_seen ON org_units (company_id, last_seen_at);

CREATE TABLE legal_entities (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    country TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX legal_entities_seen ON legal_entities (company_id, last_seen_at);

CREATE TABLE workplaces (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX workplaces_seen ON workplaces (company_id, last_seen_at);

CREATE TABLE cost_centers (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX cost_centers_seen ON cost_centers (company_id, last_seen_at);

CREATE TABLE attendance_periods (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    employee_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    "start" TEXT NOT NULL,
    "end" TEXT,
    attribution_date TEXT,
    status TEXT,
    project_id TEXT,
    comment TEXT,
    break_minutes INTEGER,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX attendance_periods_seen ON attendance_periods (company_id, last_seen_at);
CREATE INDEX attendance_periods_employee_id ON attendance_periods (company_id, employee_id);
CREATE INDEX attendance_periods_start ON attendance_periods (company_id, "start");

CREATE TABLE absence_types (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT,
    unit TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX absence_types_seen ON absence_types (company_id, last_seen_at);

CREATE TABLE absence_periods (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    employee_id INTEGER NOT NULL,
    absence_type_id TEXT,
    "start" TEXT NOT NULL,
    start_half TEXT,
    "end" TEXT,
    end_half TEXT,
    timezone TEXT,
    status TEXT,
    comment TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX absence_periods_seen ON absence_periods (company_id, last_seen_at);
CREATE INDEX absence_periods_employee_id ON absence_periods (company_id, employee_id);
CREATE INDEX absence_periods_start ON absence_periods (company_id, "start");

CREATE TABLE balances (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    employee_id INTEGER NOT NULL,
    absence_type_id INTEGER NOT NULL,
    absence_type TEXT,
    category TEXT,
    balance REAL,
    available REAL,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX balances_seen ON balances (company_id, last_seen_at);
CREATE INDEX balances_employee_id ON balances (company_id, employee_id);
