-- Groups, agents, memberships, admins and the audit log.
-- Times are Unix seconds (UTC). Telegram ids are 64-bit integers (SQLite INTEGER is 64-bit).

CREATE TABLE groups (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL UNIQUE,
    title           TEXT    NOT NULL,
    type            TEXT    NOT NULL CHECK (type IN ('group', 'supergroup')),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    inactive_reason TEXT,
    language        TEXT,
    added_by        INTEGER,
    added_at        INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE group_tags (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    tag      TEXT    NOT NULL,
    PRIMARY KEY (group_id, tag)
) WITHOUT ROWID;
CREATE INDEX group_tags_by_tag ON group_tags (tag);

CREATE TABLE agents (
    user_id           INTEGER PRIMARY KEY,
    first_name        TEXT    NOT NULL,
    last_name         TEXT,
    username          TEXT,
    language          TEXT,
    remark            TEXT,
    order_mode        TEXT CHECK (order_mode IN ('dropship', 'wholesale', 'custom')),
    status            TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
    started_bot       INTEGER NOT NULL DEFAULT 0,
    joined_at         INTEGER NOT NULL,
    last_seen_at      INTEGER,
    last_contact_at   INTEGER,
    last_contact_note TEXT,
    removed_at        INTEGER,
    removed_reason    TEXT
);
CREATE INDEX agents_by_username ON agents (username COLLATE NOCASE);
CREATE INDEX agents_by_last_seen ON agents (last_seen_at);

CREATE TABLE agent_tags (
    user_id INTEGER NOT NULL REFERENCES agents (user_id) ON DELETE CASCADE,
    tag     TEXT    NOT NULL,
    PRIMARY KEY (user_id, tag)
) WITHOUT ROWID;
CREATE INDEX agent_tags_by_tag ON agent_tags (tag);

CREATE TABLE memberships (
    group_id  INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES agents (user_id) ON DELETE CASCADE,
    status    TEXT    NOT NULL CHECK (status IN ('member', 'left', 'removed')),
    joined_at INTEGER NOT NULL,
    left_at   INTEGER,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE admins (
    user_id    INTEGER PRIMARY KEY,
    granted_by INTEGER NOT NULL,
    granted_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor_id INTEGER,
    action   TEXT    NOT NULL,
    target   TEXT,
    detail   TEXT,
    allowed  INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX audit_log_by_at ON audit_log (at);
