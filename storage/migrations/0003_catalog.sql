-- The seller's catalog: products, promotions and stock (issue 3, content half).
-- Money is INTEGER cents (never floats). Times are Unix seconds (UTC).

CREATE TABLE products (
    sku               TEXT    PRIMARY KEY,
    title             TEXT    NOT NULL,
    price_cents       INTEGER NOT NULL CHECK (price_cents > 0),
    agent_price_cents INTEGER CHECK (agent_price_cents IS NULL OR agent_price_cents > 0),
    category          TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    photos            TEXT    NOT NULL,  -- JSON array of Telegram file_ids, 1 to 10
    created_by        INTEGER,
    created_at        INTEGER NOT NULL
);
CREATE INDEX products_by_created ON products (created_at);

CREATE TABLE promotions (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL,
    kind       TEXT    NOT NULL
        CHECK (kind IN ('full_reduction', 'gift', 'free_shipping', 'discount', 'flash_price')),
    rules      TEXT    NOT NULL,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'cancelled')),
    CHECK (ends_at > starts_at)
);
CREATE INDEX promotions_by_window ON promotions (ends_at, starts_at);

CREATE TABLE promotion_skus (
    promotion_id INTEGER NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    sku          TEXT    NOT NULL REFERENCES products (sku),
    PRIMARY KEY (promotion_id, sku)
) WITHOUT ROWID;

CREATE TABLE stock (
    sku        TEXT    PRIMARY KEY REFERENCES products (sku) ON DELETE CASCADE,
    qty        INTEGER NOT NULL CHECK (qty >= 0),
    threshold  INTEGER CHECK (threshold IS NULL OR threshold >= 0),  -- NULL: config default
    state      TEXT    NOT NULL CHECK (state IN ('in_stock', 'low', 'out')),
    updated_at INTEGER NOT NULL
);
