-- Numbered alike with ../sqlite/0005_name_vocabulary.sql, which adds a vocabulary of distinct
-- name words for SQLite's typo-tolerant search. PostgreSQL's pg_trgm index (0004) needs none;
-- the lower(…) indexes serve exact name lookups here too.
CREATE INDEX contacts_first_name_lower ON contacts (lower(first_name));
CREATE INDEX contacts_last_name_lower ON contacts (lower(last_name));
