-- The agents' side of the catalog (issue 13 items 1-3): the product's 1688 listing link, and
-- who took a product's materials (original photos and copy) and when.

ALTER TABLE products ADD COLUMN source_url TEXT;  -- http(s) only, checked by the bot

-- Browsing by category (agents' /products): the category's products, newest first.
CREATE INDEX products_by_category ON products (category, created_at);

CREATE TABLE material_takes (
    id      INTEGER PRIMARY KEY,
    sku     TEXT    NOT NULL REFERENCES products (sku) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,  -- an agent (or an admin trying the button)
    at      INTEGER NOT NULL
);
CREATE INDEX material_takes_by_product ON material_takes (sku, at);
CREATE INDEX material_takes_by_user ON material_takes (user_id, at);

-- The product's photos as files (documents), in the order of its photos: Telegram refuses a
-- photo's file_id in sendDocument, so the first delivery uploads each photo once as a file and
-- keeps the document's file_id here for every later delivery.
CREATE TABLE product_originals (
    sku      TEXT    NOT NULL REFERENCES products (sku) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    file_id  TEXT    NOT NULL,
    PRIMARY KEY (sku, position)
) WITHOUT ROWID;
