-- The first schema of the reference service. Times are Unix seconds (UTC).

CREATE TABLE services (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    category TEXT NOT NULL
);

CREATE TABLE departments (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    address TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('applicant', 'manager')),
    password_hash TEXT NOT NULL,
    two_factor    INTEGER NOT NULL DEFAULT 1,
    phone         TEXT NOT NULL,
    email         TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER
);

CREATE TABLE user_departments (
    user_id       INTEGER NOT NULL REFERENCES users (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (user_id, department_id)
) WITHOUT ROWID;

-- Sessions and automation tokens: only the SHA-256 of the secret is kept.
CREATE TABLE credentials (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL CHECK (kind IN ('session', 'token')),
    secret_hash  TEXT NOT NULL UNIQUE,
    name         TEXT,
    scopes       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX credentials_user ON credentials (user_id, kind);

CREATE TABLE slots (
    id            INTEGER PRIMARY KEY,
    service_code  TEXT NOT NULL REFERENCES services (code),
    department_id TEXT NOT NULL REFERENCES departments (id),
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX slots_service_start ON slots (service_code, starts_at);
CREATE INDEX slots_service_department_start ON slots (service_code, department_id, starts_at);

-- The record's service, department and times copy its slot's, so lists
-- filter and sort without a join.
CREATE TABLE records (
    id                INTEGER PRIMARY KEY,
    owner_id          INTEGER NOT NULL REFERENCES users (id),
    slot_id           INTEGER NOT NULL REFERENCES slots (id),
    service_code      TEXT NOT NULL REFERENCES services (code),
    department_id     TEXT NOT NULL REFERENCES departments (id),
    starts_at         INTEGER NOT NULL,
    ends_at           INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'in_progress',
                          'completed', 'rejected', 'cancelled', 'expired')),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    rebooked_from     INTEGER REFERENCES records (id),
    rebooked_to       INTEGER REFERENCES records (id),
    specialist_name   TEXT,
    specialist_phone  TEXT,
    specialist_email  TEXT
);
-- An active record holds its slot; no slot is ever held twice.
CREATE UNIQUE INDEX records_active_slot ON records (slot_id)
    WHERE status IN ('pending', 'confirmed', 'in_progress');
CREATE INDEX records_owner_start ON records (owner_id, starts_at, id);
-- For a single-status filter on a rare status (e.g. `completed` among a
-- million active records).
CREATE INDEX records_owner_status_start ON records (owner_id, status, starts_at, id);
CREATE INDEX records_department_start ON records (department_id, starts_at, id);
CREATE INDEX records_start ON records (starts_at, id);

-- Life events after creation; the `created` event is derived from the
-- record itself, so bulk-generated records need no rows here.
CREATE TABLE record_events (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES records (id),
    at          INTEGER NOT NULL,
    event       TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT,
    comment     TEXT
);
CREATE INDEX record_events_record ON record_events (record_id, id);

CREATE TABLE documents (
    id        INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES records (id),
    name      TEXT NOT NULL,
    url       TEXT NOT NULL
);
CREATE INDEX documents_record ON documents (record_id);

CREATE TABLE staff_comments (
    id        INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES records (id),
    author    TEXT NOT NULL,
    at        INTEGER NOT NULL,
    text      TEXT NOT NULL
);
CREATE INDEX staff_comments_record ON staff_comments (record_id);

CREATE TABLE challenges (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    purpose       TEXT NOT NULL CHECK (purpose IN ('login', 'cancel', 'token_create')),
    state         TEXT NOT NULL
                      CHECK (state IN ('pending', 'confirmed', 'used', 'expired', 'locked')),
    code_hash     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    attempts_left INTEGER NOT NULL,
    confirmed_at  INTEGER,
    record_count  INTEGER
);

-- The records a cancel challenge covers (one challenge, a whole batch).
CREATE TABLE challenge_records (
    challenge_id TEXT NOT NULL REFERENCES challenges (id),
    record_id    INTEGER NOT NULL,
    PRIMARY KEY (challenge_id, record_id)
) WITHOUT ROWID;

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    channel    TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient  TEXT NOT NULL,
    subject    TEXT,
    body       TEXT NOT NULL,
    record_id  INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, id);

-- The audit journal. Owner and department of the record are copied so the
-- journal can be filtered by who may see it without a join.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_id      INTEGER,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    record_id     INTEGER,
    owner_id      INTEGER,
    department_id TEXT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('ok', 'refused')),
    code          TEXT,
    request_id    TEXT NOT NULL,
    detail        TEXT
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_owner ON audit_log (owner_id, seq);
CREATE INDEX audit_log_department ON audit_log (department_id, seq);
CREATE INDEX audit_log_record ON audit_log (record_id, seq);
