-- Schedules and their fires, holiday greetings, trainings with RSVPs and attendance.
-- Times are Unix seconds (UTC).

-- One row per thing that fires, one-off (rule NULL) or recurring (rule 'cron:<days>:<HH>:<MM>').
-- next_planned_at is the instant the fire is planned for (part of its idempotency key);
-- next_due_at is when it actually fires (later than planned when it lands in quiet hours).
-- status 'held' = an immediate send waiting for the admin's quiet-hours choice.
CREATE TABLE schedules (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    params          TEXT    NOT NULL DEFAULT '{}',
    ref             TEXT,
    rule            TEXT,
    creator_id      INTEGER,
    status          TEXT    NOT NULL CHECK (status IN
                        ('active', 'paused', 'held', 'done', 'cancelled')),
    quiet           INTEGER NOT NULL DEFAULT 1 CHECK (quiet IN (0, 1)),
    next_planned_at INTEGER,
    next_due_at     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX schedules_due ON schedules (status, next_due_at);
CREATE INDEX schedules_by_ref ON schedules (ref);

CREATE TABLE schedule_fires (
    id           INTEGER PRIMARY KEY,
    schedule_id  INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    planned_at   INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    fired_at     INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('sent', 'shifted', 'missed', 'skipped')),
    broadcast_id INTEGER,
    UNIQUE (schedule_id, planned_at)
);

CREATE TABLE greeting_templates (
    festival   TEXT PRIMARY KEY,
    text       TEXT    NOT NULL,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL
);

-- One row per festival and year once its preview went to the owners.
CREATE TABLE greeting_runs (
    festival    TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'skipped')),
    text        TEXT    NOT NULL,
    decided_by  INTEGER,
    decided_at  INTEGER,
    schedule_id INTEGER,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (festival, year)
) WITHOUT ROWID;

CREATE TABLE trainings (
    id               INTEGER PRIMARY KEY,
    title            TEXT    NOT NULL,
    starts_at        INTEGER NOT NULL,
    duration_minutes INTEGER NOT NULL,
    location         TEXT    NOT NULL,
    materials_file   TEXT,
    target_tags      TEXT    NOT NULL DEFAULT '',
    creator_id       INTEGER NOT NULL,
    broadcast_id     INTEGER,
    status           TEXT    NOT NULL DEFAULT 'scheduled'
                         CHECK (status IN ('scheduled', 'cancelled')),
    created_at       INTEGER NOT NULL
);
CREATE INDEX trainings_by_start ON trainings (starts_at);

CREATE TABLE training_rsvps (
    training_id INTEGER NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    answer      TEXT    NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (training_id, user_id)
) WITHOUT ROWID;

CREATE TABLE training_attendance (
    training_id INTEGER NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    marked_by   INTEGER NOT NULL,
    marked_at   INTEGER NOT NULL,
    PRIMARY KEY (training_id, user_id)
) WITHOUT ROWID;
CREATE INDEX training_attendance_by_user ON training_attendance (user_id);
