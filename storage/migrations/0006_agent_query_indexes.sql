-- /agents category:<top>/<sub> lists agents most recently seen first with no sort. The page
-- query adds the (implied) equality on store_category_top and walks this index in /agents
-- order, testing the category on the index entry itself, so it stops after one page instead
-- of sorting every match. It replaces agents_by_store_category_top (same leading columns, one
-- more key column), which category:<top>, its counts and the tier:/score: combinations keep
-- using as before. The count of a sub-category stays on agents_by_store_category (a range).
DROP INDEX agents_by_store_category_top;
CREATE INDEX agents_by_category_activity ON agents (
    status, store_category_top, coalesce(last_seen_at, joined_at) DESC, user_id,
    store_category, quality_tier, quality_score
);
