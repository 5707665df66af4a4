-- Removing agents from every group is a durable job (bot/agents/removals.py): the intent is
-- written first (the job, the agents' status change, one step per agent and active group),
-- then a worker bans and unbans step by step and records each outcome, so a restart resumes
-- where the last run stopped. docs/ARCHITECTURE.md ("Removing agents") defines the states.

CREATE TABLE removal_jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('agent', 'tier')),
    label       TEXT    NOT NULL,  -- the agent's name or the tier, for the progress and report
    reason      TEXT,
    actor_id    INTEGER,
    chat_id     INTEGER,           -- the admin's progress message, if any
    message_id  INTEGER,
    language    TEXT    NOT NULL,
    -- writing: targets[written:] still to be turned into status changes and steps;
    -- running: every target written, steps being executed; done: reported.
    state       TEXT    NOT NULL CHECK (state IN ('writing', 'running', 'done')),
    targets     TEXT    NOT NULL,  -- JSON list of user ids
    written     INTEGER NOT NULL DEFAULT 0,
    agents      INTEGER NOT NULL DEFAULT 0,  -- agents this job changed from active to removed
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX removal_jobs_open ON removal_jobs (state) WHERE state != 'done';

CREATE TABLE removal_steps (
    id       INTEGER PRIMARY KEY,
    job_id   INTEGER NOT NULL REFERENCES removal_jobs (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    state    TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error    TEXT,
    done_at  INTEGER,
    UNIQUE (job_id, user_id, group_id)
);
CREATE INDEX removal_steps_by_job ON removal_steps (job_id, state);
-- One open step per agent and group, whatever job wrote it: a second job never bans twice.
CREATE UNIQUE INDEX removal_steps_one_open ON removal_steps (user_id, group_id)
    WHERE state = 'pending';
