-- Indexes for reading a window of bookings: by resource or staff member and when their held
-- time starts (availability reads a bounded range of each), and by start alone (lists across
-- locations). Keep in step with ../sqlite/0014_booking_ranges.sql.
CREATE INDEX bookings_resource_from ON bookings (resource_id, held_from);
CREATE INDEX bookings_staff_from ON bookings (staff_id, held_from);
CREATE INDEX bookings_start ON bookings (starts_at);
