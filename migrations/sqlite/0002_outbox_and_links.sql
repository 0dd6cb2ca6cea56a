-- Durable outbox for email (and later SMS), and one-time links (invitations, password resets).
-- The PostgreSQL twin is migrations/postgres/0002_outbox_and_links.sql.

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    portal_id        INTEGER REFERENCES portals(id) ON DELETE SET NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('email', 'sms')),
    recipient        TEXT    NOT NULL,
    sender_name      TEXT,
    subject          TEXT    NOT NULL,
    body_text        TEXT    NOT NULL,
    body_html        TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    claimed_until    INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_portal ON outbox (portal_id, id);
CREATE INDEX outbox_by_recipient ON outbox (recipient, created_at);

-- Purposes: 'invite' (set a first password, 72 h), 'reset' (forgotten password, 1 h).
CREATE TABLE one_time_tokens (
    token_hash   TEXT    PRIMARY KEY,
    purpose      TEXT    NOT NULL,
    staff_id     INTEGER REFERENCES staff(id) ON DELETE CASCADE,
    customer_id  INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    portal_id    INTEGER REFERENCES portals(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    CHECK ((staff_id IS NULL) <> (customer_id IS NULL))
);
CREATE INDEX one_time_tokens_by_staff ON one_time_tokens (staff_id);
CREATE INDEX one_time_tokens_by_customer ON one_time_tokens (customer_id);
