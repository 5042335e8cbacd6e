-- Contact emails compare byte by byte: SQLite's default BINARY collation already does, so its
-- contacts_email index serves an email prefix search as one range; only PostgreSQL changes
-- (../postgres/0008_contact_email_bytewise.sql). Kept so both databases number alike.
SELECT 1;
