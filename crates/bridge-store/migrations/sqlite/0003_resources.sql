-- The remaining synced resources, sqlite dialect (the other dialect has the same tables and
-- columns): projects and their members, compensations and their types, custom reports and
-- their rows, document metadata and categories, recruiting categories, jobs, candidates and
-- applications. Bookkeeping columns as in 0001; booleans are 0/1 integers; what Personio
-- nests (report cells, pipeline stages) is kept as JSON text.

CREATE TABLE projects (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    project_code TEXT,
    description TEXT,
    status TEXT,
    cost_center_id INTEGER,
    parent_project_id INTEGER,
    "start" TEXT,
    "end" TEXT,
    billable INTEGER,
    client_name TEXT,
    project_type TEXT,
    assigned_to_all INTEGER,
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX projects_seen ON projects (company_id, last_seen_at);

CREATE TABLE project_members (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX project_members_seen ON project_members (company_id, last_seen_at);
CREATE INDEX project_members_project_id ON project_members (company_id, project_id);
CREATE INDEX project_members_employee_id ON project_members (company_id, employee_id);

CREATE TABLE compensation_types (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX compensation_types_seen ON compensation_types (company_id, last_seen_at);

CREATE TABLE compensations (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    employee_id INTEGER NOT NULL,
    legal_entity_id INTEGER,
    compensation_type_id TEXT,
    compensation_type TEXT,
    category TEXT,
    amount REAL,
    currency TEXT,
    pay_interval TEXT,
    effective_from TEXT,
    comment TEXT,
    weekly_working_hours REAL,
    full_time_weekly_working_hours REAL,
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX compensations_seen ON compensations (company_id, last_seen_at);
CREATE INDEX compensations_employee_id ON compensations (company_id, employee_id);
CREATE INDEX compensations_effective_from ON compensations (company_id, effective_from);

CREATE TABLE custom_reports (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    "type" TEXT,
    status TEXT,
    period_type TEXT,
    start_date TEXT,
    end_date TEXT,
    columns TEXT,
    data_refreshed_at TEXT,
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX custom_reports_seen ON custom_reports (company_id, last_seen_at);

CREATE TABLE custom_report_rows (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    report_id TEXT NOT NULL,
    employee_id INTEGER,
    cells TEXT NOT NULL,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX custom_report_rows_seen ON custom_report_rows (company_id, last_seen_at);
CREATE INDEX custom_report_rows_report_id ON custom_report_rows (company_id, report_id);

CREATE TABLE document_categories (
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
CREATE INDEX document_categories_seen ON document_categories (company_id, last_seen_at);

CREATE TABLE documents (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    employee_id INTEGER NOT NULL,
    category_id INTEGER,
    name TEXT,
    date TEXT,
    comment TEXT,
    document_type TEXT,
    size INTEGER,
    virus_scan TEXT,
    esignature TEXT,
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX documents_seen ON documents (company_id, last_seen_at);
CREATE INDEX documents_employee_id ON documents (company_id, employee_id);

CREATE TABLE recruiting_categories (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    stages TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX recruiting_categories_seen ON recruiting_categories (company_id, last_seen_at);

CREATE TABLE recruiting_jobs (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    department TEXT,
    category_id TEXT,
    status TEXT,
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX recruiting_jobs_seen ON recruiting_jobs (company_id, last_seen_at);

CREATE TABLE recruiting_candidates (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    phone TEXT,
    location TEXT,
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX recruiting_candidates_seen ON recruiting_candidates (company_id, last_seen_at);

CREATE TABLE recruiting_applications (
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    stage TEXT,
    stage_kind TEXT,
    channel TEXT,
    application_date TEXT,
    is_anonymized INTEGER,
    source_created_at TEXT,
    raw TEXT NOT NULL,
    source_updated_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    deleted_at TEXT,
    out_of_filter_at TEXT,
    PRIMARY KEY (company_id, id)
);
CREATE INDEX recruiting_applications_seen ON recruiting_applications (company_id, last_seen_at);
CREATE INDEX recruiting_applications_candidate_id ON recruiting_applications (company_id, candidate_id);
CREATE INDEX recruiting_applications_job_id ON recruiting_applications (company_id, job_id);
