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
