-- The waitlist: contacts waiting for a service at a location within a window of days, and the
-- offers made to them when a slot frees. Keep in step with ../sqlite/0013_waitlist.sql.

CREATE TABLE waitlist_entries (
    id            TEXT PRIMARY KEY NOT NULL,
    contact_id    TEXT NOT NULL REFERENCES contacts (id),
    service_id    TEXT NOT NULL REFERENCES services (id),
    location_id   TEXT NOT NULL REFERENCES locations (id),
    -- Local days on the location's clock, inclusive.
    earliest_day  TEXT NOT NULL CHECK (earliest_day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    latest_day    TEXT NOT NULL CHECK (latest_day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    notes         TEXT,
    status        TEXT NOT NULL CHECK (status IN ('waiting', 'booked', 'removed')),
    booking_id    TEXT REFERENCES bookings (id),
    created_by    TEXT REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CHECK (latest_day >= earliest_day)
);
-- Who is next: waiting entries for a service at a location, oldest first.
CREATE INDEX waitlist_entries_queue ON waitlist_entries (location_id, service_id, status, created_at);
CREATE INDEX waitlist_entries_contact ON waitlist_entries (contact_id);

-- A freed slot offered to a waiting contact. While open and unexpired it holds the time on its
-- resource and staff member against the public booking page; the first to accept books it.
CREATE TABLE waitlist_offers (
    id            TEXT PRIMARY KEY NOT NULL,
    entry_id      TEXT NOT NULL REFERENCES waitlist_entries (id) ON DELETE CASCADE,
    starts_at     TIMESTAMPTZ NOT NULL,
    resource_id   TEXT NOT NULL REFERENCES resources (id),
    staff_id      TEXT NOT NULL REFERENCES users (id),
    held_from     TIMESTAMPTZ NOT NULL,
    held_until    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'lost', 'expired')),
    booking_id    TEXT REFERENCES bookings (id),
    created_at    TIMESTAMPTZ NOT NULL,
    -- One offer of a time per entry, however often the job runs.
    UNIQUE (entry_id, starts_at)
);
CREATE INDEX waitlist_offers_open ON waitlist_offers (status, held_until);
