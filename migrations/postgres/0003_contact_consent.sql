-- When each consent last changed (the API reports booleans; the record keeps the time).
ALTER TABLE contacts ADD COLUMN sms_consent_changed_at TIMESTAMPTZ;
ALTER TABLE contacts ADD COLUMN email_consent_changed_at TIMESTAMPTZ;
CREATE INDEX contacts_deleted ON contacts (deleted_at);
