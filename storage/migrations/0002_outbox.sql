-- The outbox: one broadcasts row per piece of content, one deliveries row per target chat.
-- Written in one transaction before anything is sent; the delivery engine drains it.

CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT    NOT NULL,
    ref                 TEXT,
    payload             TEXT    NOT NULL,  -- Payload as JSON (bot/outbox.py)
    creator_id          INTEGER,
    created_at          INTEGER NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'done', 'retracted')),
    idempotency_key     TEXT    UNIQUE,
    report              INTEGER NOT NULL DEFAULT 1 CHECK (report IN (0, 1)),
    language            TEXT,
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    finished_at         INTEGER
);
CREATE INDEX broadcasts_by_ref ON broadcasts (ref, id);
CREATE INDEX broadcasts_by_status ON broadcasts (status);

CREATE TABLE deliveries (
    id                  INTEGER PRIMARY KEY,
    broadcast_id        INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    -- For group targets: the group, whose chat_id is followed through a migration.
    group_id            INTEGER REFERENCES groups (id) ON DELETE SET NULL,
    chat_id             INTEGER NOT NULL,  -- the chat id last sent to (or to send to)
    status              TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,  -- API attempts made
    failures            INTEGER NOT NULL DEFAULT 0,  -- transient failures (network, 5xx)
    next_attempt_at     INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    message_ids         TEXT    NOT NULL DEFAULT '[]',  -- JSON list, in send order
    sent_at             INTEGER,
    reply_to_message_id INTEGER
);
CREATE INDEX deliveries_to_drain ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_broadcast ON deliveries (broadcast_id, status);
CREATE INDEX deliveries_by_group ON deliveries (group_id);
