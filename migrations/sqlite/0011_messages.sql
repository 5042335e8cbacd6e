-- Messages to contacts (SMS and email), their delivery receipts, and who must not be sent to.
-- Each message is sent by a job enqueued in the transaction that stores it (domain/src/services/messages).
-- Keep in step with ../postgres/0011_messages.sql.
CREATE TABLE messages (
    id            TEXT PRIMARY KEY NOT NULL,
    contact_id    TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    channel       TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    -- The number (E.164) or address it went to, as it was when it was written.
    to_address    TEXT NOT NULL,
    subject       TEXT,
    -- The SMS text, or the email's plain-text part.
    body          TEXT NOT NULL,
    html          TEXT,
    template      TEXT,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'failed')),
    -- Which provider took it (outbox, clicksend, smtp) and its id for it (what receipts name).
    provider      TEXT,
    provider_id   TEXT,
    -- SMS parts: counted when written, the provider's figure once sent.
    segments      INTEGER,
    -- In millionths of currency, where the provider says.
    cost_micros   INTEGER,
    currency      TEXT,
    -- Why it failed, or why the last attempt did (while it waits for a retry).
    error         TEXT,
    created_by    TEXT REFERENCES users (id),
    created_at    TEXT NOT NULL,
    sent_at       TEXT,
    -- When status last changed.
    status_at     TEXT NOT NULL
);
-- A contact's messages, newest first.
CREATE INDEX messages_contact ON messages (contact_id, id);
-- The Outbox and GET /api/v1/messages by channel and status, newest first.
CREATE INDEX messages_channel_status ON messages (channel, status, id);
-- Receipts find their message by the provider's id when they lack ours.
CREATE INDEX messages_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;

-- Every delivery receipt received, once: a repeat of the same receipt is ignored.
CREATE TABLE message_receipts (
    id                   TEXT PRIMARY KEY NOT NULL,
    message_id           TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    provider_message_id  TEXT NOT NULL,
    status_code          INTEGER NOT NULL,
    status_text          TEXT,
    error_code           TEXT,
    error_text           TEXT,
    -- As the provider wrote it ('' when it gave none), part of what makes a receipt the same.
    provider_timestamp   TEXT NOT NULL,
    received_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX message_receipts_once ON message_receipts (provider_message_id, status_code, provider_timestamp);
CREATE INDEX message_receipts_message ON message_receipts (message_id);

-- Contacts who must not be sent a channel: checked on every send, by contact and by address.
CREATE TABLE suppressions (
    id          TEXT PRIMARY KEY NOT NULL,
    contact_id  TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    -- The contact's number or address when it was added: a duplicate record with the same one is
    -- suppressed too.
    address     TEXT,
    reason      TEXT NOT NULL CHECK (reason IN ('opted_out', 'replied_stop', 'bounced', 'complaint', 'other')),
    note        TEXT,
    created_by  TEXT REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX suppressions_contact_channel ON suppressions (contact_id, channel);
CREATE INDEX suppressions_address ON suppressions (channel, address);

-- Timeline entries for messages point at them (their status shows on the timeline).
ALTER TABLE touchpoints ADD COLUMN message_id TEXT REFERENCES messages (id) ON DELETE SET NULL;
