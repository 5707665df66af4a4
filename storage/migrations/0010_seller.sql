-- The seller's names and notes: agents found by remark, and a contact log.

-- /agent 李女士淘卖 and its unique-prefix form read a range of this index.
CREATE INDEX agents_by_remark ON agents (remark);

-- Every /contacted (and "contacted" button) is a row; agents.last_contact_at / _note keep a
-- copy of the latest one for the follow-up list and /export.
CREATE TABLE agent_contacts (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES agents (user_id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    note    TEXT,
    by_user INTEGER
);
CREATE INDEX agent_contacts_by_user ON agent_contacts (user_id, at);
INSERT INTO agent_contacts (user_id, at, note, by_user)
SELECT user_id, last_contact_at, last_contact_note, NULL FROM agents
WHERE last_contact_at IS NOT NULL;

