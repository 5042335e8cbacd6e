-- Password-reset requests, for throttling per address (SQLite). Keep in step with
-- ../postgres/0006_password_reset_throttle.sql.
CREATE TABLE password_reset_requests (
    id            TEXT PRIMARY KEY NOT NULL,
    ip            TEXT NOT NULL,
    requested_at  TEXT NOT NULL
);
CREATE INDEX password_reset_requests_ip ON password_reset_requests (ip, requested_at);
-- Emails sent per account per hour, and "every outstanding link of this account".
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
