-- Newcomers (待完善) and agents' own data.
-- profile_at: when the agent's first profile arrived (a /profile submission, whatever its
-- review, or a seller's import). An agent without one who joined less than
-- [quality] newcomer_days ago is a newcomer: in no tier, never in /lowquality or a tier
-- removal (storage.agents.newcomer_sql; the rule is bot.agents.quality.is_newcomer).
ALTER TABLE agents ADD COLUMN profile_at INTEGER;
UPDATE agents SET profile_at = (
    SELECT min(at) FROM (
        SELECT submitted_at AS at FROM profile_submissions s WHERE s.user_id = agents.user_id
        UNION ALL
        SELECT updated_at FROM agent_profiles p WHERE p.user_id = agents.user_id
    )
);
CREATE TRIGGER agents_profile_at_submission AFTER INSERT ON profile_submissions
BEGIN
    UPDATE agents SET profile_at = NEW.submitted_at
    WHERE user_id = NEW.user_id AND profile_at IS NULL;
END;
CREATE TRIGGER agents_profile_at_profile AFTER INSERT ON agent_profiles
BEGIN
    UPDATE agents SET profile_at = NEW.updated_at
    WHERE user_id = NEW.user_id AND profile_at IS NULL;
END;
-- Only agents without a profile, by join time: the newcomers are one range of it (the review
-- queue subtracts their count; tier:待完善 reads and sorts just them).
CREATE INDEX agents_newcomers ON agents (status, joined_at, quality_tier)
    WHERE profile_at IS NULL;

-- When the agent erased their data (/forgetme) or the retention purge did: set only on the
-- emptied row kept for a removed agent (an active agent's row is deleted).
ALTER TABLE agents ADD COLUMN forgotten_at INTEGER;

-- tier:<tier> in /agents leaves newcomers out. Its page walks this index in /agents order
-- and tests the newcomer rule on the index entries (the recent newcomers at the top of
-- agents_by_activity would each cost a row lookup), and its count reads the index alone.
-- 0009 made this index for keyset pages; it is rebuilt with the newcomer columns added.
DROP INDEX agents_by_tier_activity;
CREATE INDEX agents_by_tier_activity ON agents (
    status, quality_tier, coalesce(last_seen_at, joined_at) DESC, user_id,
    quality_score, order_mode, joined_at, profile_at
);
