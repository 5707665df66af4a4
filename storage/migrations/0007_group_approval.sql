-- Groups are the seller's: a group the bot was added to by someone who is not an admin waits
-- for an admin's approval. While it waits it is stored inactive (active = 0, inactive_reason
-- 'pending'), so no query that selects active groups can target it, and pending_since says
-- since when (the bot leaves it by itself after [groups] approval_timeout_hours).
-- announced_at: when the owners were told about this add; at most one notice per adder per
-- hour is sent, counted over these rows (so the bound survives a restart).
ALTER TABLE groups ADD COLUMN pending_since INTEGER;
ALTER TABLE groups ADD COLUMN announced_at INTEGER;
CREATE INDEX groups_announced_by_adder ON groups (added_by, announced_at)
    WHERE announced_at IS NOT NULL;
