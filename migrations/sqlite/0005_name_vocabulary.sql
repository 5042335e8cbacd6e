-- Typo-tolerant search on SQLite ranks distinct name words, not contacts: a one-typo probe
-- ("har" OR "eis") matches thousands of contacts but only dozens of distinct names. Contacts
-- are then fetched by the matching names through the lower(…) indexes.
-- Entries are never removed: a stale one matches no contact and costs nothing.
CREATE TABLE name_words (word TEXT PRIMARY KEY NOT NULL);
CREATE VIRTUAL TABLE name_words_trigram USING fts5 (word, content = 'name_words', tokenize = 'trigram');
CREATE TRIGGER name_words_index AFTER INSERT ON name_words BEGIN
    INSERT INTO name_words_trigram (rowid, word) VALUES (new.rowid, new.word);
END;
INSERT OR IGNORE INTO name_words (word) SELECT lower(first_name) FROM contacts UNION SELECT lower(last_name) FROM contacts;
CREATE TRIGGER contacts_name_words_insert AFTER INSERT ON contacts BEGIN
    INSERT OR IGNORE INTO name_words (word) VALUES (lower(new.first_name)), (lower(new.last_name));
END;
CREATE TRIGGER contacts_name_words_update AFTER UPDATE OF first_name, last_name ON contacts BEGIN
    INSERT OR IGNORE INTO name_words (word) VALUES (lower(new.first_name)), (lower(new.last_name));
END;
CREATE INDEX contacts_first_name_lower ON contacts (lower(first_name));
CREATE INDEX contacts_last_name_lower ON contacts (lower(last_name));

-- The per-contact trigram index of 0004 is replaced by the vocabulary above.
DROP TRIGGER contact_names_insert;
DROP TRIGGER contact_names_update;
DROP TRIGGER contact_names_delete;
DROP TABLE contact_names;

-- Nearly every contact has deleted_at NULL, and without statistics SQLite's planner took this
-- index for a selective one (walking every live contact instead of looking ids up).
DROP INDEX contacts_deleted;
