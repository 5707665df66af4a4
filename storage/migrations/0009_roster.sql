-- /agents pages by keyset (storage/agents.py AgentRepository.page): each filter's page query
-- seeks into an index kept in /agents order (most recently seen first, then user id) and
-- stops after one page, and its count is answered from an index, at any depth of the list.
-- Active agents in /agents order, carrying the columns the filters test (mode:, tier:, score:,
-- platform:) so non-matching agents are skipped on the index entry, without reading the row;
-- inactive: is a range on its activity column, and its count reads this index alone.
CREATE INDEX agents_by_status_activity ON agents (
    status, coalesce(last_seen_at, joined_at) DESC, user_id,
    order_mode, quality_tier, quality_score, store_platform
);
-- mode: and tier: lists and counts, in /agents order.
CREATE INDEX agents_by_mode_activity ON agents (
    status, order_mode, coalesce(last_seen_at, joined_at) DESC, user_id,
    quality_tier, quality_score
);
CREATE INDEX agents_by_tier_activity ON agents (
    status, quality_tier, coalesce(last_seen_at, joined_at) DESC, user_id,
    quality_score, order_mode
);
