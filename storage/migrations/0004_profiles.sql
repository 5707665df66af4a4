-- Agent store profiles (submissions and the approved profile), seller ratings, purchase
-- activity, quality scores with their history, and the indexes /agents and /lowquality need.
-- Times are Unix seconds (UTC).

-- Every /profile submission, kept as the application history. Only approval copies the
-- fields into agent_profiles, so a pending change never disturbs the approved profile.
CREATE TABLE profile_submissions (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES agents (user_id) ON DELETE CASCADE,
    platform         TEXT    NOT NULL,
    store_name       TEXT    NOT NULL,
    store_url        TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    badge            TEXT    NOT NULL,
    dsr_description  REAL    NOT NULL,
    dsr_service      REAL    NOT NULL,
    dsr_logistics    REAL    NOT NULL,
    operating_status TEXT    NOT NULL CHECK (operating_status IN ('open', 'paused', 'closed')),
    order_mode       TEXT    NOT NULL CHECK (order_mode IN ('dropship', 'wholesale', 'custom')),
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'returned', 'superseded')),
    reason           TEXT,
    submitted_at     INTEGER NOT NULL,
    reviewed_at      INTEGER,
    reviewed_by      INTEGER
);
CREATE INDEX profile_submissions_by_user ON profile_submissions (user_id, id);

-- The approved (or seller-imported) profile. Columns may be NULL for a partial profile set by
-- /import_agents; completeness counts the filled ones.
CREATE TABLE agent_profiles (
    user_id          INTEGER PRIMARY KEY REFERENCES agents (user_id) ON DELETE CASCADE,
    platform         TEXT,
    store_name       TEXT,
    store_url        TEXT,
    category         TEXT,
    badge            TEXT,
    dsr_description  REAL,
    dsr_service      REAL,
    dsr_logistics    REAL,
    operating_status TEXT CHECK (operating_status IN ('open', 'paused', 'closed')),
    updated_at       INTEGER NOT NULL
);
CREATE INDEX agent_profiles_by_platform ON agent_profiles (platform);
CREATE INDEX agent_profiles_by_category ON agent_profiles (category);

CREATE TABLE agent_ratings (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES agents (user_id) ON DELETE CASCADE,
    rated_by INTEGER NOT NULL,
    stars    INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment  TEXT,
    at       INTEGER NOT NULL
);
CREATE INDEX agent_ratings_by_user ON agent_ratings (user_id, at);

-- Purchase activity per agent and period ('2026-10' or '2026-Q3'); a re-import of the same
-- period replaces it. Amounts in cents.
CREATE TABLE agent_orders (
    user_id      INTEGER NOT NULL REFERENCES agents (user_id) ON DELETE CASCADE,
    period       TEXT    NOT NULL,
    period_end   INTEGER NOT NULL,
    orders       INTEGER NOT NULL CHECK (orders >= 0),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    imported_at  INTEGER NOT NULL,
    imported_by  INTEGER NOT NULL,
    PRIMARY KEY (user_id, period)
) WITHOUT ROWID;

-- The current score of each agent with its breakdown. snoozed_until hides it from /lowquality
-- ("Keep").
CREATE TABLE agent_scores (
    user_id       INTEGER PRIMARY KEY REFERENCES agents (user_id) ON DELETE CASCADE,
    score         REAL    NOT NULL,
    tier          TEXT    NOT NULL CHECK (tier IN ('excellent', 'qualified', 'low', 'invalid')),
    breakdown     TEXT    NOT NULL,
    computed_at   INTEGER NOT NULL,
    snoozed_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX agent_scores_by_computed ON agent_scores (computed_at);
CREATE INDEX agent_scores_by_snooze ON agent_scores (snoozed_until);

-- Copies on the agent row, kept by triggers: score and tier (from agent_scores), platform and
-- category (from agent_profiles). The /agents filters tier: score: platform: category: and
-- the /lowquality queue are then answered from one index on agents, counts included, with
-- no join per matching agent (see bench/agents.py).
ALTER TABLE agents ADD COLUMN quality_score REAL;
ALTER TABLE agents ADD COLUMN quality_tier TEXT;
ALTER TABLE agents ADD COLUMN store_platform TEXT;
ALTER TABLE agents ADD COLUMN store_category TEXT;
-- The top level of the category ("女装" of "女装/连衣裙"): category:女装 is an equality.
ALTER TABLE agents ADD COLUMN store_category_top TEXT;
CREATE INDEX agents_by_quality_tier ON agents (status, quality_tier, quality_score);
CREATE INDEX agents_by_quality_score ON agents (status, quality_score);
-- Platform and top category lists come out in /agents order (most recently seen first) with
-- no sort, and their counts combined with tier:/score: are answered from the index alone.
CREATE INDEX agents_by_store_platform ON agents (
    status, store_platform, coalesce(last_seen_at, joined_at) DESC, user_id,
    quality_tier, quality_score
);
CREATE INDEX agents_by_store_category_top ON agents (
    status, store_category_top, coalesce(last_seen_at, joined_at) DESC, user_id,
    quality_tier, quality_score
);
CREATE INDEX agents_by_store_category ON agents (status, store_category);
CREATE TRIGGER agent_scores_copy_insert AFTER INSERT ON agent_scores
BEGIN
    UPDATE agents SET quality_score = NEW.score, quality_tier = NEW.tier
    WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER agent_scores_copy_update AFTER UPDATE OF score, tier ON agent_scores
WHEN NEW.score IS NOT OLD.score OR NEW.tier IS NOT OLD.tier
BEGIN
    UPDATE agents SET quality_score = NEW.score, quality_tier = NEW.tier
    WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER agent_profiles_copy_insert AFTER INSERT ON agent_profiles
BEGIN
    UPDATE agents SET store_platform = NEW.platform, store_category = NEW.category,
        store_category_top = CASE WHEN instr(NEW.category, '/') > 0
            THEN substr(NEW.category, 1, instr(NEW.category, '/') - 1) ELSE NEW.category END
    WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER agent_profiles_copy_update AFTER UPDATE OF platform, category ON agent_profiles
WHEN NEW.platform IS NOT OLD.platform OR NEW.category IS NOT OLD.category
BEGIN
    UPDATE agents SET store_platform = NEW.platform, store_category = NEW.category,
        store_category_top = CASE WHEN instr(NEW.category, '/') > 0
            THEN substr(NEW.category, 1, instr(NEW.category, '/') - 1) ELSE NEW.category END
    WHERE user_id = NEW.user_id;
END;

-- Every agent has a score: a new agent gets a placeholder (无效, computed_at 0) that the next
-- refresh (at /lowquality, /agent, /export, the daily job) replaces with the real score.
INSERT INTO agent_scores (user_id, score, tier, breakdown, computed_at)
SELECT user_id, 0, 'invalid', '[]', 0 FROM agents;
CREATE TRIGGER agents_get_a_score AFTER INSERT ON agents
BEGIN
    INSERT OR IGNORE INTO agent_scores (user_id, score, tier, breakdown, computed_at)
    VALUES (NEW.user_id, 0, 'invalid', '[]', 0);
END;

-- One row whenever an agent's score or tier changes.
CREATE TABLE score_history (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES agents (user_id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    score   REAL    NOT NULL,
    tier    TEXT    NOT NULL
);
CREATE INDEX score_history_by_user ON score_history (user_id, at);

-- /agents lists agents most recently seen first: walk this index and stop after one page.
CREATE INDEX agents_by_activity ON agents (coalesce(last_seen_at, joined_at) DESC, user_id);
