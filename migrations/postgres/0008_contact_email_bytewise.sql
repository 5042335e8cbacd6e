-- Contact emails compare byte by byte (the "C" collation), as SQLite's BINARY does, so an email
-- prefix search is one index range on both databases: the language collation of the database
-- ignores punctuation such as "." and "@" when it orders text, which makes a range over it
-- wrong for addresses. Emails are stored lower-cased, so nothing else changes. The index is
-- rebuilt by the ALTER. Keep in step with ../sqlite/0008_contact_email_bytewise.sql.
ALTER TABLE contacts ALTER COLUMN email TYPE TEXT COLLATE "C";
