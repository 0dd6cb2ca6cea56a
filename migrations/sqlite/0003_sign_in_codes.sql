-- One-time sign-in codes for customers (by email, SMS or both), and the requests for them.
-- The PostgreSQL twin is migrations/postgres/0003_sign_in_codes.sql.

-- A code is bound to the browser that asked for it: `request_hash` is the SHA-256 of a random
-- token kept in that browser's cookie, and `code_hash` the SHA-256 of that token and the code,
-- so a copy of this table reveals no usable code.
CREATE TABLE sign_in_codes (
    id            INTEGER PRIMARY KEY,
    portal_id     INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    request_hash  TEXT    NOT NULL UNIQUE,
    code_hash     TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_codes_by_customer ON sign_in_codes (customer_id, created_at);

-- Every request for a code, known account or not, keyed by what was typed (per portal) or by
-- client address: the resend limits apply alike, so they reveal nothing.
CREATE TABLE code_requests (
    key         TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX code_requests_by_key ON code_requests (key, created_at);

CREATE UNIQUE INDEX customers_by_mobile ON customers (portal_id, mobile) WHERE mobile IS NOT NULL;
