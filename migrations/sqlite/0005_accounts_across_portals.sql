-- Accounts across portals and throttling that slows guessing without locking people out.
-- The twin of this file for the other engine must keep the same tables and columns.

-- An existing staff account asked to work in one more portal. It joins only when its owner
-- accepts while signed in (or when a system administrator adds it directly).
CREATE TABLE portal_invitations (
    portal_id   INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    staff_id    INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'agent')),
    invited_by  INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (portal_id, staff_id)
);
CREATE INDEX portal_invitations_by_staff ON portal_invitations (staff_id);

-- The issuer that vouched for a linked directory account; sign-ins must come from the same one.
-- Links made before this column existed were made through their portal's authority host.
ALTER TABLE sso_identities ADD COLUMN issuer TEXT NOT NULL DEFAULT '';
UPDATE sso_identities SET issuer = COALESCE(
    (SELECT RTRIM(value, '/') FROM portal_settings
      WHERE portal_settings.portal_id = sso_identities.portal_id AND key = 'entra_authority_host' AND value <> ''),
    'https://login.microsoftonline.com') || '/' || tenant_id || '/v2.0';

-- Attempts admitted and not yet finished, so that a burst cannot slip past the delays. They
-- count only until `in_flight_until`: an attempt cut short by a crash stops counting by itself.
ALTER TABLE signin_throttle ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signin_throttle ADD COLUMN in_flight_until INTEGER NOT NULL DEFAULT 0;

-- Browsers in which an account has signed in before (or that proved the account's email
-- address through a link). Failures by others do not hold back such a browser; only the hash
-- of the token in its cookie is kept.
CREATE TABLE known_browsers (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL,
    staff_id      INTEGER REFERENCES staff(id) ON DELETE CASCADE,
    customer_id   INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    portal_id     INTEGER REFERENCES portals(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    CHECK ((staff_id IS NULL) <> (customer_id IS NULL))
);
CREATE UNIQUE INDEX known_browsers_staff ON known_browsers (token_hash, staff_id) WHERE staff_id IS NOT NULL;
CREATE UNIQUE INDEX known_browsers_customer ON known_browsers (token_hash, customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX known_browsers_by_last_use ON known_browsers (last_used_at);
