-- What each merge moved and filled in, so staff can undo it for 30 days.
-- Keep in step with ../postgres/0009_contact_merge_undo.sql.
CREATE TABLE contact_merges (
    id          TEXT PRIMARY KEY NOT NULL,
    kept_id     TEXT NOT NULL REFERENCES contacts (id),
    retired_id  TEXT NOT NULL REFERENCES contacts (id),
    merged_by   TEXT REFERENCES users (id),
    merged_at   TEXT NOT NULL,
    undone_at   TEXT,
    -- JSON: the touchpoints, tasks and tags that moved, and each field the kept record took
    -- from the retired one (with the value it took), so an undo puts back only what is unchanged.
    moved       TEXT NOT NULL
);
CREATE INDEX contact_merges_kept ON contact_merges (kept_id, merged_at);
CREATE INDEX contact_merges_retired ON contact_merges (retired_id);
