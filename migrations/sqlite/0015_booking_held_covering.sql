-- The busy-time windows of a resource or a staff member (availability, and the clash triggers
-- of 0012) read only these columns of each booking they pass: with them in the index, SQLite
-- answers from the index alone instead of visiting every booking of the week in the table
-- (a week at a busy location is ~500 of them, each looked up twice: once by resource, once by
-- staff member). Same leading columns as the indexes they replace, so every plan that used
-- those keeps its shape. Keep in step with ../postgres/0015_booking_held_covering.sql.
DROP INDEX bookings_resource_held;
DROP INDEX bookings_staff_held;
CREATE INDEX bookings_resource_held ON bookings (resource_id, held_until, held_from, status, staff_id, id);
CREATE INDEX bookings_staff_held ON bookings (staff_id, held_until, held_from, status, resource_id, id);
