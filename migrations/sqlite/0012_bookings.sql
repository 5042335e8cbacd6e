-- Bookings: when locations open, what each service needs, the scanners and rooms, who is
-- qualified and working, and the bookings themselves with their history.
-- A clash on a resource or a staff member is refused by the database itself (exclusion
-- triggers below, which run under SQLite's one write lock), however many requests race. Keep in step with ../postgres/0012_bookings.sql.

-- Opening hours: one row per open period of a weekday (1 = Monday … 7 = Sunday), in the
-- location's own clock ('08:00'–'17:30'); a day with no row is closed.
CREATE TABLE location_hours (
    location_id  TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens        TEXT NOT NULL CHECK (opens GLOB '[0-2][0-9]:[0-5][0-9]'),
    closes       TEXT NOT NULL CHECK (closes GLOB '[0-2][0-9]:[0-5][0-9]'),
    CHECK (closes > opens),
    PRIMARY KEY (location_id, weekday, opens)
);

-- Whole local days a location is shut: public holidays, closures.
CREATE TABLE location_closures (
    id           TEXT PRIMARY KEY NOT NULL,
    location_id  TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    day          TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    reason       TEXT NOT NULL,
    UNIQUE (location_id, day)
);

-- What a service takes beyond its own minutes, and what it must be done on.
ALTER TABLE services ADD COLUMN buffer_before_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0);
ALTER TABLE services ADD COLUMN buffer_after_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_minutes >= 0);
ALTER TABLE services ADD COLUMN resource_kind TEXT CHECK (resource_kind IN ('mri_scanner', 'ct_scanner', 'ultrasound_room', 'xray_room', 'mammography_unit'));

-- Scanners and rooms.
CREATE TABLE resources (
    id           TEXT PRIMARY KEY NOT NULL,
    location_id  TEXT NOT NULL REFERENCES locations (id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('mri_scanner', 'ct_scanner', 'ultrasound_room', 'xray_room', 'mammography_unit')),
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    UNIQUE (location_id, name)
);

-- Times a resource cannot be booked: maintenance, servicing, breakdowns.
CREATE TABLE resource_blocks (
    id           TEXT PRIMARY KEY NOT NULL,
    resource_id  TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX resource_blocks_resource ON resource_blocks (resource_id, ends_at);

-- Which services a staff member may perform.
CREATE TABLE staff_services (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    service_id  TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, service_id)
);

-- Working hours: one row per working period of a weekday at a location; a break is the gap
-- between two periods of the same day.
CREATE TABLE staff_hours (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id  TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts       TEXT NOT NULL CHECK (starts GLOB '[0-2][0-9]:[0-5][0-9]'),
    ends         TEXT NOT NULL CHECK (ends GLOB '[0-2][0-9]:[0-5][0-9]'),
    CHECK (ends > starts),
    PRIMARY KEY (user_id, weekday, starts)
);
CREATE INDEX staff_hours_location ON staff_hours (location_id);

-- Leave: times a staff member is away.
CREATE TABLE staff_leave (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX staff_leave_user ON staff_leave (user_id, ends_at);

CREATE TABLE bookings (
    id             TEXT PRIMARY KEY NOT NULL,
    contact_id     TEXT NOT NULL REFERENCES contacts (id),
    service_id     TEXT NOT NULL REFERENCES services (id),
    location_id    TEXT NOT NULL REFERENCES locations (id),
    resource_id    TEXT NOT NULL REFERENCES resources (id),
    staff_id       TEXT NOT NULL REFERENCES users (id),
    -- The appointment itself.
    starts_at      TEXT NOT NULL,
    ends_at        TEXT NOT NULL,
    -- What the resource and the staff member are taken for: the appointment and the service's
    -- buffers either side. Clashes are overlaps of these.
    held_from      TEXT NOT NULL,
    held_until     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('booked', 'confirmed', 'cancelled', 'completed', 'no_show')),
    cancel_reason  TEXT,
    notes          TEXT,
    -- Set by the no-show sweep: past, never confirmed, not yet closed by staff.
    needs_review   INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (held_from <= starts_at AND held_until >= ends_at)
);
CREATE INDEX bookings_location_start ON bookings (location_id, starts_at);
CREATE INDEX bookings_resource_held ON bookings (resource_id, held_until);
CREATE INDEX bookings_staff_held ON bookings (staff_id, held_until);
CREATE INDEX bookings_contact ON bookings (contact_id, starts_at);

-- Any overlap of held time ([from, until), so back-to-back is fine) on one resource, or one
-- staff member, between bookings that are not cancelled. Times are fixed-width UTC text
-- (domain/src/time.rs), so text order is time order. The message is the constraint's name,
-- as PostgreSQL reports it.
CREATE TRIGGER bookings_clash_insert BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'bookings_resource_clash') WHERE EXISTS (
        SELECT 1 FROM bookings b WHERE b.resource_id = NEW.resource_id AND b.status <> 'cancelled'
          AND b.held_from < NEW.held_until AND NEW.held_from < b.held_until);
    SELECT RAISE(ABORT, 'bookings_staff_clash') WHERE EXISTS (
        SELECT 1 FROM bookings b WHERE b.staff_id = NEW.staff_id AND b.status <> 'cancelled'
          AND b.held_from < NEW.held_until AND NEW.held_from < b.held_until);
END;
CREATE TRIGGER bookings_clash_update BEFORE UPDATE OF resource_id, staff_id, held_from, held_until, status ON bookings
WHEN NEW.status <> 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'bookings_resource_clash') WHERE EXISTS (
        SELECT 1 FROM bookings b WHERE b.id <> NEW.id AND b.resource_id = NEW.resource_id AND b.status <> 'cancelled'
          AND b.held_from < NEW.held_until AND NEW.held_from < b.held_until);
    SELECT RAISE(ABORT, 'bookings_staff_clash') WHERE EXISTS (
        SELECT 1 FROM bookings b WHERE b.id <> NEW.id AND b.staff_id = NEW.staff_id AND b.status <> 'cancelled'
          AND b.held_from < NEW.held_until AND NEW.held_from < b.held_until);
END;

-- Every status change and move of a booking, oldest first.
CREATE TABLE booking_events (
    id          TEXT PRIMARY KEY NOT NULL,
    booking_id  TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'rescheduled', 'confirmed', 'cancelled', 'uncancelled', 'completed', 'no_show', 'note')),
    status      TEXT NOT NULL,
    detail      TEXT,
    user_id     TEXT REFERENCES users (id),
    occurred_at TEXT NOT NULL
);
CREATE INDEX booking_events_booking ON booking_events (booking_id, id);

-- Reminders sent: at most one per booking and offset, whatever happens to its job.
CREATE TABLE booking_reminders (
    booking_id      TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    offset_minutes  INTEGER NOT NULL,
    message_id      TEXT REFERENCES messages (id) ON DELETE SET NULL,
    sent_at         TEXT NOT NULL,
    PRIMARY KEY (booking_id, offset_minutes)
);

-- Timeline entries about a booking point at it.
ALTER TABLE touchpoints ADD COLUMN booking_id TEXT REFERENCES bookings (id) ON DELETE SET NULL;
