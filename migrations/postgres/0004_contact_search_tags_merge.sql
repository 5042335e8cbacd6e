-- Custom fields, merge bookkeeping and the indexes behind search, sorting and the board.
-- Keep in step with ../sqlite/0004_contact_search_tags_merge.sql.

-- A JSON object of short text values (kept as text so both backends read it the same way).
ALTER TABLE contacts ADD COLUMN custom_fields TEXT NOT NULL DEFAULT '{}';
-- Set when this record was merged into another; merged records stay deleted.
ALTER TABLE contacts ADD COLUMN merged_into TEXT REFERENCES contacts (id);
-- The newest touchpoint's time, kept by a trigger so the board and sorting need no join.
ALTER TABLE contacts ADD COLUMN last_touch_at TIMESTAMPTZ;
UPDATE contacts SET last_touch_at = (SELECT max(occurred_at) FROM touchpoints t WHERE t.contact_id = contacts.id);

-- Tags are lower-case labels from now on (the application lower-cases what staff type).
UPDATE tags SET name = lower(name) WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.name = lower(tags.name) AND t.id <> tags.id);

CREATE INDEX contacts_name_order ON contacts (lower(last_name) COLLATE "C", lower(first_name) COLLATE "C", id COLLATE "C");
CREATE INDEX contacts_updated ON contacts (updated_at, id);
CREATE INDEX contacts_warmness ON contacts (warmness, id);

-- Name search: a trigram GIN index answers substring probes (LIKE '%pembe%') quickly; the
-- application then ranks candidates by edit distance (typo tolerance).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contacts_name_trigram ON contacts USING gin ((lower(first_name || ' ' || last_name)) gin_trgm_ops);

CREATE FUNCTION touchpoints_last_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts SET last_touch_at = NEW.occurred_at
    WHERE id = NEW.contact_id AND (last_touch_at IS NULL OR last_touch_at < NEW.occurred_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER touchpoints_last_touch AFTER INSERT ON touchpoints
    FOR EACH ROW EXECUTE FUNCTION touchpoints_last_touch();
