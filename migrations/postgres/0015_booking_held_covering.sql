-- The busy-time windows of a resource or a staff member read only these columns of each
-- booking they pass: carried in the index, they allow index-only scans. Same key columns as the
-- indexes they replace. Keep in step with ../sqlite/0015_booking_held_covering.sql.
DROP INDEX bookings_resource_held;
DROP INDEX bookings_staff_held;
CREATE INDEX bookings_resource_held ON bookings (resource_id, held_until) INCLUDE (held_from, status, staff_id, id);
CREATE INDEX bookings_staff_held ON bookings (staff_id, held_until) INCLUDE (held_from, status, resource_id, id);
