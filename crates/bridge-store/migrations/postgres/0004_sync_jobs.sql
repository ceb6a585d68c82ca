-- sync_jobs: the scheduler's queue, one row per company (both dialects have the same columns).
--   next_run_at       when the next scheduled sync is due
--   requested_at      when a sync was asked for out of schedule ("sync now", a webhook)
--   leased_by         the worker syncing the company now, if any
--   lease_until       when that worker's claim lapses unless renewed (a dead worker's job is
--                     then taken over and resumes from the checkpoints)
--   claims            how many times the job was claimed
--   last_started_at, last_finished_at, last_outcome   the latest scheduled run
-- Times are fixed-width UTC text with milliseconds, so text order is time order.

CREATE TABLE sync_jobs (
    company_id BIGINT NOT NULL PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    next_run_at TEXT NOT NULL,
    requested_at TEXT,
    leased_by TEXT,
    lease_until TEXT,
    claims BIGINT NOT NULL DEFAULT 0,
    last_started_at TEXT,
    last_finished_at TEXT,
    last_outcome TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX sync_jobs_due ON sync_jobs (next_run_at);
