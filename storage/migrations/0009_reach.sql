-- Private sends by segment (/dm), /mute, and agents who blocked the bot.
-- muted_at: set by /mute, cleared by /unmute; a muted agent gets no promotional private send
-- (/dm, a greeting's promotion). blocked_at: when a private send last got 403 (the agent
-- blocked the bot; started_bot is cleared then, and set again by the agent's next /start).
ALTER TABLE agents ADD COLUMN muted_at INTEGER;
ALTER TABLE agents ADD COLUMN blocked_at INTEGER;
