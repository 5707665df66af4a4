-- Restock dates and discontinued products; sample requests (寄样) with their history.
-- Times are Unix seconds (UTC).

-- Per product, beside the products row (which another feature extends): the expected restock
-- date set with /stock_eta, and when /discontinue marked it 停产 (NULL: still sold).
CREATE TABLE product_status (
    sku             TEXT    PRIMARY KEY REFERENCES products (sku) ON DELETE CASCADE,
    restock_eta     INTEGER,
    discontinued_at INTEGER,
    discontinued_by INTEGER
);

-- A sample an agent asked for: requested -> declined | shipped; a shipped sample's listing
-- answer ('listed' with the link, or 'not_yet') is recorded beside it.
CREATE TABLE samples (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES agents (user_id) ON DELETE CASCADE,
    sku          TEXT    NOT NULL REFERENCES products (sku) ON DELETE CASCADE,
    status       TEXT    NOT NULL CHECK (status IN ('requested', 'declined', 'shipped')),
    requested_at INTEGER NOT NULL,
    decided_by   INTEGER,
    decided_at   INTEGER,
    tracking     TEXT,
    asked_at     INTEGER,
    answer       TEXT    CHECK (answer IS NULL OR answer IN ('listed', 'not_yet')),
    listing_url  TEXT,
    answered_at  INTEGER
);
-- One open (undecided) request per agent and product.
CREATE UNIQUE INDEX samples_one_open ON samples (user_id, sku) WHERE status = 'requested';
CREATE INDEX samples_by_user ON samples (user_id, id);
CREATE INDEX samples_shipped ON samples (status, decided_at);

-- Every change of a sample, in order: who did what when.
CREATE TABLE sample_events (
    id        INTEGER PRIMARY KEY,
    sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    actor_id  INTEGER,
    event     TEXT    NOT NULL,
    detail    TEXT
);
CREATE INDEX sample_events_by_sample ON sample_events (sample_id, id);
