-- Foundation: portals, staff, customers, departments, permissions, sessions, sign-in throttling.
-- Times are Unix seconds (INTEGER); flags are 0/1 integers. The PostgreSQL twin of this file is
-- migrations/postgres/0001_foundation.sql and must keep the same tables and columns.

CREATE TABLE portals (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    host        TEXT    UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE portal_settings (
    portal_id   INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    PRIMARY KEY (portal_id, key)
);

CREATE TABLE staff (
    id                    INTEGER PRIMARY KEY,
    email                 TEXT    NOT NULL,
    email_lower           TEXT    NOT NULL UNIQUE,
    name                  TEXT    NOT NULL,
    password_hash         TEXT,
    must_change_password  INTEGER NOT NULL DEFAULT 0,
    is_superadmin         INTEGER NOT NULL DEFAULT 0,
    disabled_at           INTEGER,
    created_at            INTEGER NOT NULL
);

CREATE TABLE staff_portals (
    staff_id    INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    portal_id   INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'agent')),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (staff_id, portal_id)
);
CREATE INDEX staff_portals_by_portal ON staff_portals (portal_id);

CREATE TABLE staff_permissions (
    staff_id    INTEGER NOT NULL,
    portal_id   INTEGER NOT NULL,
    permission  TEXT    NOT NULL,
    PRIMARY KEY (staff_id, portal_id, permission),
    FOREIGN KEY (staff_id, portal_id) REFERENCES staff_portals (staff_id, portal_id) ON DELETE CASCADE
);

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    portal_id   INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (portal_id, name)
);

CREATE TABLE department_members (
    department_id  INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    staff_id       INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    PRIMARY KEY (department_id, staff_id)
);
CREATE INDEX department_members_by_staff ON department_members (staff_id);

CREATE TABLE customers (
    id                    INTEGER PRIMARY KEY,
    portal_id             INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    email                 TEXT    NOT NULL,
    email_lower           TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    mobile                TEXT,
    password_hash         TEXT,
    must_change_password  INTEGER NOT NULL DEFAULT 0,
    disabled_at           INTEGER,
    created_at            INTEGER NOT NULL,
    UNIQUE (portal_id, email_lower)
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL UNIQUE,
    realm         TEXT    NOT NULL CHECK (realm IN ('manage', 'portal')),
    staff_id      INTEGER REFERENCES staff(id) ON DELETE CASCADE,
    customer_id   INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    portal_id     INTEGER REFERENCES portals(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    user_agent    TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    CHECK ((staff_id IS NULL) <> (customer_id IS NULL))
);
CREATE INDEX sessions_by_staff ON sessions (staff_id);
CREATE INDEX sessions_by_customer ON sessions (customer_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE signin_throttle (
    key            TEXT    PRIMARY KEY,
    failures       INTEGER NOT NULL,
    window_start   INTEGER NOT NULL,
    blocked_until  INTEGER NOT NULL
);
