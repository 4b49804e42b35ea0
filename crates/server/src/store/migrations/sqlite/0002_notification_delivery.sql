-- Delivery state of the notifications outbox, for a worker outside the
-- service that sends the SMS and e-mail messages. The service only inserts
-- rows; the worker claims a batch (claimed_by, claimed_until), sends it, and
-- marks each row sent (sent_at) or failed (last_error; it is claimed again
-- once the claim runs out). A row with sent_at set is done.

ALTER TABLE notifications ADD COLUMN claimed_by    TEXT;
ALTER TABLE notifications ADD COLUMN claimed_until INTEGER;
ALTER TABLE notifications ADD COLUMN attempts      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN sent_at       INTEGER;
ALTER TABLE notifications ADD COLUMN last_error    TEXT;

-- The worker's scan: unsent rows in order.
CREATE INDEX notifications_unsent ON notifications (id) WHERE sent_at IS NULL;
