-- The job queue: every side effect (a text, an email, a sweep) is a row here, inserted in the
-- transaction of the change that causes it, and run later by a worker (domain/src/jobs).
-- Keep in step with ../postgres/0010_jobs.sql.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL,
    -- One per side effect: enqueueing the same key again does nothing.
    idempotency_key  TEXT NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL
        CHECK (state IN ('queued', 'running', 'failed', 'succeeded', 'dead', 'discarded')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    -- Times a run was cut off (its instance died or stopped mid-run): its side effect may have
    -- happened before the run that finished.
    interrupted      INTEGER NOT NULL DEFAULT 0,
    run_at           TEXT NOT NULL,
    locked_by        TEXT,
    lease_until      TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    finished_at      TEXT
);
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key);
-- What a worker claims next, oldest due first.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state IN ('queued', 'failed');
-- Running jobs whose lease ran out (their instance is gone).
CREATE INDEX jobs_leases ON jobs (lease_until) WHERE state = 'running';
-- The Jobs page and GET /api/v1/jobs: newest first, by state and kind.
CREATE INDEX jobs_state_kind ON jobs (state, kind, id);
