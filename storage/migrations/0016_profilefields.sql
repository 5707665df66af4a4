-- The agent's region (省/市) and 1688 / 旺旺 buyer id (人群画像), both optional.
-- They describe the agent, not the store: they live on the agent row (like the remark and the
-- order mode), so setting them never creates a store profile (which would end the newcomer
-- state and open the catalog). /profile submits them with the store fields and approval
-- copies them; /import_agents sets them; /import_orders finds agents by the buyer id.
-- buyer_id is kept as typed after NFKC and trimming; buyer_key is its case-folded form
-- (storage.models.buyer_key), unique among agents: one buyer id names one agent.
ALTER TABLE agents ADD COLUMN region TEXT CHECK (length(region) <= 20);
ALTER TABLE agents ADD COLUMN buyer_id TEXT CHECK (length(buyer_id) BETWEEN 1 AND 50);
ALTER TABLE agents ADD COLUMN buyer_key TEXT;
CREATE UNIQUE INDEX agents_by_buyer_key ON agents (buyer_key) WHERE buyer_key IS NOT NULL;

-- What a submission carries (NULL: the agent skipped a field that had no value).
ALTER TABLE profile_submissions ADD COLUMN region TEXT;
ALTER TABLE profile_submissions ADD COLUMN buyer_id TEXT;
