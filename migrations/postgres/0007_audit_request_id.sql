-- The request an audit entry came from (its x-request-id, as in the log line), PostgreSQL.
-- Keep in step with ../sqlite/0007_audit_request_id.sql.
ALTER TABLE audit_events ADD COLUMN request_id TEXT;
