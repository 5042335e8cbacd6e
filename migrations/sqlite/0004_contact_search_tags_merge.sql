-- Custom fields, merge bookkeeping and the indexes behind search, sorting and the board.
-- Keep in step with ../postgres/0004_contact_search_tags_merge.sql.

-- A JSON object of short text values, e.g. {"medicare_number": "2123 45670 1"}.
ALTER TABLE contacts ADD COLUMN custom_fields TEXT NOT NULL DEFAULT '{}';
-- Set when this record was merged into another; merged records stay deleted.
ALTER TABLE contacts ADD COLUMN merged_into TEXT REFERENCES contacts (id);
-- The newest touchpoint's time, kept by a trigger so the board and sorting need no join.
ALTER TABLE contacts ADD COLUMN last_touch_at TEXT;
UPDATE contacts SET last_touch_at = (SELECT max(occurred_at) FROM touchpoints t WHERE t.contact_id = contacts.id);

-- Tags are lower-case labels from now on (the application lower-cases what staff type).
UPDATE tags SET name = lower(name) WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.name = lower(tags.name) AND t.id <> tags.id);

CREATE INDEX contacts_name_order ON contacts (lower(last_name), lower(first_name), id);
CREATE INDEX contacts_updated ON contacts (updated_at, id);
CREATE INDEX contacts_warmness ON contacts (warmness, id);

-- Name search: an FTS5 trigram index answers substring probes ("pembe" OR "erten") in
-- milliseconds; the application then ranks candidates by edit distance (typo tolerance).
-- The rowid is the contact's rowid; triggers keep it in step with every write path.
CREATE VIRTUAL TABLE contact_names USING fts5 (name, tokenize = 'trigram');
INSERT INTO contact_names (rowid, name) SELECT rowid, first_name || ' ' || last_name FROM contacts;
CREATE TRIGGER contact_names_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_names (rowid, name) VALUES (new.rowid, new.first_name || ' ' || new.last_name);
END;
CREATE TRIGGER contact_names_update AFTER UPDATE OF first_name, last_name ON contacts BEGIN
    UPDATE contact_names SET name = new.first_name || ' ' || new.last_name WHERE rowid = old.rowid;
END;
CREATE TRIGGER contact_names_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contact_names WHERE rowid = old.rowid;
END;

CREATE TRIGGER touchpoints_last_touch AFTER INSERT ON touchpoints BEGIN
    UPDATE contacts SET last_touch_at = new.occurred_at
    WHERE id = new.contact_id AND (last_touch_at IS NULL OR last_touch_at < new.occurred_at);
END;
