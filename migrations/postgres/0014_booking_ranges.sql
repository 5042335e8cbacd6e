-- Bookings by start alone, for lists across locations (a day's bookings everywhere). Windows of
-- a resource's or staff member's bookings use (resource_id, held_until) and (staff_id,
-- held_until) from 0012, bounded on both sides. (An index on held_from was tried and dropped:
-- SQLite's clash triggers then chose it and scanned every earlier booking of the resource.)
-- Keep in step with ../sqlite/0014_booking_ranges.sql.
CREATE INDEX bookings_start ON bookings (starts_at);
