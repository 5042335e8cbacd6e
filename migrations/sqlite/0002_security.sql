-- Sign-in, sessions, API tokens, audit log, sign-in throttling, email outbox (SQLite).
-- Keep in step with ../postgres/0002_security.sql.

ALTER TABLE users ADD COLUMN password_hash TEXT;            -- argon2id PHC string; NULL = Google only
ALTER TABLE users ADD COLUMN all_locations INTEGER NOT NULL DEFAULT 1 CHECK (all_locations IN (0, 1));
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;

-- Locations a user is limited to when all_locations is false.
CREATE TABLE user_locations (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id  TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, location_id)
);

-- tower-sessions records; user_id is copied out of the data so "sign out everywhere" is one delete.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
    data        TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Only the SHA-256 of a token is kept; the token itself is shown once.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    token_prefix  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE password_resets (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

-- Failed and successful sign-ins, for throttling per account and per address.
CREATE TABLE login_attempts (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,
    ip            TEXT NOT NULL,
    succeeded     INTEGER NOT NULL CHECK (succeeded IN (0, 1)),
    attempted_at  TEXT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, attempted_at);

-- Who viewed or changed what, when, from where. Ids only: never a patient's details.
CREATE TABLE audit_events (
    id             TEXT PRIMARY KEY NOT NULL,       -- ULID: sorts by time
    occurred_at    TEXT NOT NULL,
    actor_user_id  TEXT,
    actor_token_id TEXT,
    action         TEXT NOT NULL,                   -- e.g. auth.sign_in, contact.view
    subject_type   TEXT,
    subject_id     TEXT,
    ip             TEXT,
    detail         TEXT                             -- non-patient context, e.g. "unknown account"
);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, id);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

-- Email that would be sent: shown in the UI until SMTP is configured.
CREATE TABLE outbox_emails (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,                      -- e.g. password_reset
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);
