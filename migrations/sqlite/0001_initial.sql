-- Avatar CRM first schema (SQLite). Keep in step with ../postgres/0001_initial.sql.
-- IDs are ULID text; times are UTC, fixed-width RFC 3339 text (see domain::time::Timestamp);
-- money is integer cents.

CREATE TABLE locations (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    time_zone   TEXT NOT NULL,              -- IANA name, e.g. Australia/Sydney
    address     TEXT,
    phone       TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,      -- lower-cased by the application
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'reception', 'marketing', 'readonly')),
    job_title     TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL
);

CREATE TABLE services (
    id                  TEXT PRIMARY KEY NOT NULL,
    code                TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    modality            TEXT NOT NULL CHECK (modality IN ('mri', 'ct', 'ultrasound', 'xray', 'mammography')),
    duration_minutes    INTEGER NOT NULL CHECK (duration_minutes > 0),
    price_cents         INTEGER NOT NULL CHECK (price_cents >= 0),
    currency            TEXT NOT NULL DEFAULT 'AUD',
    preparation         TEXT,
    referral_required   INTEGER NOT NULL DEFAULT 0 CHECK (referral_required IN (0, 1)),
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at          TEXT NOT NULL
);

CREATE TABLE pipeline_stages (
    id          TEXT PRIMARY KEY NOT NULL,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    is_closed   INTEGER NOT NULL DEFAULT 0 CHECK (is_closed IN (0, 1))
);

CREATE TABLE contacts (
    id                  TEXT PRIMARY KEY NOT NULL,
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    phone               TEXT,                -- E.164
    email               TEXT,                -- lower-cased
    date_of_birth       TEXT,                -- YYYY-MM-DD
    source              TEXT NOT NULL DEFAULT 'phone' CHECK (source IN ('web_form', 'referral', 'phone', 'campaign', 'walk_in')),
    referring_doctor    TEXT,
    requested_modality  TEXT CHECK (requested_modality IN ('mri', 'ct', 'ultrasound', 'xray', 'mammography')),
    notes               TEXT,
    stage_id            TEXT NOT NULL REFERENCES pipeline_stages (id),
    location_id         TEXT REFERENCES locations (id),
    owner_id            TEXT REFERENCES users (id),
    warmness            INTEGER CHECK (warmness BETWEEN 0 AND 100),
    sms_consent         INTEGER NOT NULL DEFAULT 0 CHECK (sms_consent IN (0, 1)),
    email_consent       INTEGER NOT NULL DEFAULT 0 CHECK (email_consent IN (0, 1)),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT
);
CREATE INDEX contacts_stage ON contacts (stage_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_location ON contacts (location_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_created ON contacts (created_at);
CREATE INDEX contacts_phone ON contacts (phone);
CREATE INDEX contacts_email ON contacts (email);

CREATE TABLE tags (
    id      TEXT PRIMARY KEY NOT NULL,
    name    TEXT NOT NULL UNIQUE,
    color   TEXT NOT NULL DEFAULT 'slate'
);

CREATE TABLE contact_tags (
    contact_id  TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag_id      TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, tag_id)
);
CREATE INDEX contact_tags_tag ON contact_tags (tag_id);

CREATE TABLE touchpoints (
    id          TEXT PRIMARY KEY NOT NULL,
    contact_id  TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'sms', 'email', 'booking', 'note', 'stage_change')),
    summary     TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id),
    occurred_at TEXT NOT NULL
);
CREATE INDEX touchpoints_contact ON touchpoints (contact_id, occurred_at);

CREATE TABLE tasks (
    id            TEXT PRIMARY KEY NOT NULL,
    contact_id    TEXT REFERENCES contacts (id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    assignee_id   TEXT REFERENCES users (id),
    due_at        TEXT,
    completed_at  TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX tasks_open ON tasks (due_at) WHERE completed_at IS NULL;
CREATE INDEX tasks_contact ON tasks (contact_id);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Every install starts with the standard imaging pipeline; staff can rename and reorder it.
INSERT INTO pipeline_stages (id, key, name, position, is_closed) VALUES
    ('01K0STAGE00000000000000001', 'new_enquiry', 'New enquiry', 1, 0),
    ('01K0STAGE00000000000000002', 'contacted',   'Contacted',   2, 0),
    ('01K0STAGE00000000000000003', 'booked',      'Booked',      3, 0),
    ('01K0STAGE00000000000000004', 'attended',    'Attended',    4, 0),
    ('01K0STAGE00000000000000005', 'follow_up',   'Follow-up',   5, 0),
    ('01K0STAGE00000000000000006', 'lost',        'Lost',        6, 1);
