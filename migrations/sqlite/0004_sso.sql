-- Staff sign-in with a portal's own Microsoft Entra ID (OpenID Connect).
-- The PostgreSQL twin is migrations/postgres/0004_sso.sql.

-- A directory account linked to a staff account. Entra's stable ids are the key: `tid` (the
-- directory) and `oid` (the user in it). Email addresses are never used to find a linked account.
CREATE TABLE sso_identities (
    id               INTEGER PRIMARY KEY,
    portal_id        INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    staff_id         INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    tenant_id        TEXT    NOT NULL,
    object_id        TEXT    NOT NULL,
    username         TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    last_sign_in_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, object_id)
);
CREATE INDEX sso_identities_by_staff ON sso_identities (staff_id);
CREATE INDEX sso_identities_by_portal ON sso_identities (portal_id);

-- A sign-in under way at the provider, so that any node can finish it. Only hashes are kept:
-- of the `state` sent to the provider and of the random secret in the browser's cookie (the
-- PKCE verifier and the nonce are derived from that secret, which only the browser holds).
CREATE TABLE sso_flows (
    state_hash    TEXT    PRIMARY KEY,
    portal_id     INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    browser_hash  TEXT    NOT NULL,
    next          TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER
);
CREATE INDEX sso_flows_by_ip ON sso_flows (ip, created_at);
CREATE INDEX sso_flows_by_expiry ON sso_flows (expires_at);

-- The portal whose provider signed a session in: sign-out goes through that provider too.
ALTER TABLE sessions ADD COLUMN sso_portal_id INTEGER REFERENCES portals(id) ON DELETE SET NULL;

-- Set on agents created by a first Microsoft sign-in (link rule create_pending): they cannot
-- sign in until an administrator approves them.
ALTER TABLE staff ADD COLUMN awaiting_approval INTEGER NOT NULL DEFAULT 0;
