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

-- The daily follow-up list, kept page by page (bot/scheduling/followups.py): made once per
-- fire (planned_at; a repeated fire reuses it), its rows cut into pages by the pager when it
-- is made, so a page turn reads one page by (list_id, page) and never re-computes the due
-- list. Rows are the list as it was made (kind: a due agent, a shipped sample, the samples'
-- heading); the buttons are chosen again at each turn (an agent contacted or a sample asked
-- since then has none). Lists older than a few days are deleted (their buttons: "expired").
CREATE TABLE followup_lists (
    id         INTEGER PRIMARY KEY,
    planned_at INTEGER NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    language   TEXT    NOT NULL,
    header     TEXT    NOT NULL,
    pages      INTEGER NOT NULL
);
CREATE TABLE followup_rows (
    list_id   INTEGER NOT NULL REFERENCES followup_lists(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    page      INTEGER NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('agent', 'sample', 'heading')),
    user_id   INTEGER,
    sample_id INTEGER,
    name      TEXT    NOT NULL DEFAULT '',
    line      TEXT    NOT NULL,
    PRIMARY KEY (list_id, position)
) WITHOUT ROWID;
CREATE INDEX followup_rows_page ON followup_rows(list_id, page, position);
CREATE INDEX followup_rows_user ON followup_rows(user_id) WHERE user_id IS NOT NULL;
