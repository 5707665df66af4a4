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
-- Only agents without a profile, by join time: counting the newcomers of a tier reads a range
-- of this small index alone.
CREATE INDEX agents_newcomers ON agents (status, joined_at, quality_tier)
    WHERE profile_at IS NULL;

-- When the agent erased their data (/forgetme) or the retention purge did: set only on the
-- emptied row kept for a removed agent (an active agent's row is deleted).
ALTER TABLE agents ADD COLUMN forgotten_at INTEGER;
