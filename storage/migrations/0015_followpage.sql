-- A /dm held over quiet hours keeps the agents it cannot reach (never started the bot, blocked
-- it) with the held schedule; when the held send fires, they become its failed deliveries in
-- the broadcast's own transaction (storage/reach.py), so the report lists them as an immediate
-- /dm's does, also after a restart in between.
CREATE TABLE held_unreachable (
    schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    PRIMARY KEY (schedule_id, user_id)
) WITHOUT ROWID;
CREATE INDEX held_unreachable_user ON held_unreachable(user_id);

-- The daily follow-up list (bot/scheduling/followups.py), made once per fire (planned_at; a
-- repeated fire reuses it) and kept a few days (older lists and their buttons: "expired").
-- The due agents are copied here by one INSERT ... SELECT of the due-list query, in order
-- (position), then the samples; the rows are cut into pages by the pager in batches and each
-- page's first and last position written to followup_pages; ``pages`` stays 0 until then (a
-- list left unfinished by a crash is made again). A page turn reads one page's rows and
-- chooses the buttons again (an agent contacted or a sample asked since has none), so it
-- never re-computes the due list. ``line`` is the rendered row of a sample or the samples'
-- heading; an agent's row is rendered from name, last contact and cadence as stored.
CREATE TABLE followup_lists (
    id         INTEGER PRIMARY KEY,
    planned_at INTEGER NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    language   TEXT    NOT NULL,
    header     TEXT    NOT NULL DEFAULT '',
    total      INTEGER NOT NULL DEFAULT 0,  -- rows
    pages      INTEGER NOT NULL DEFAULT 0   -- 0: not finished
);
CREATE TABLE followup_rows (
    list_id         INTEGER NOT NULL REFERENCES followup_lists(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('agent', 'sample', 'heading')),
    user_id         INTEGER,
    sample_id       INTEGER,
    name            TEXT    NOT NULL DEFAULT '',
    last_contact_at INTEGER,
    days            INTEGER,
    line            TEXT,
    PRIMARY KEY (list_id, position)
) WITHOUT ROWID;
CREATE INDEX followup_rows_user ON followup_rows(user_id) WHERE user_id IS NOT NULL;
CREATE TABLE followup_pages (
    list_id  INTEGER NOT NULL REFERENCES followup_lists(id) ON DELETE CASCADE,
    page     INTEGER NOT NULL,
    first    INTEGER NOT NULL,  -- positions of the page's first and last rows
    last     INTEGER NOT NULL,
    PRIMARY KEY (list_id, page)
) WITHOUT ROWID;
