-- Private sends by segment (/dm), /mute, and agents who blocked the bot.
-- muted_at: set by /mute, cleared by /unmute; a muted agent gets no promotional private send
-- (/dm, a greeting's promotion). blocked_at: when a private send last got 403 (the agent
-- blocked the bot; started_bot is cleared then, and set again by the agent's next /start).
ALTER TABLE agents ADD COLUMN muted_at INTEGER;
ALTER TABLE agents ADD COLUMN blocked_at INTEGER;

-- A festival's greeting can go to a segment of agents only (tag:/tier:/mode:, as typed after
-- /greeting <festival> 对象); a run keeps the segment of its preview and the promotion picked
-- when it was approved (sent after the greeting, 先祝福再营销).
CREATE TABLE greeting_segments (
    festival   TEXT PRIMARY KEY,
    segment    TEXT    NOT NULL,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL
);
ALTER TABLE greeting_runs ADD COLUMN segment TEXT;
ALTER TABLE greeting_runs ADD COLUMN promotion_id INTEGER;
