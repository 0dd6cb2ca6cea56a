-- Private links to a visitor's ticket: whoever holds one reads and answers that ticket without
-- an account. Only the SHA-256 of the link's random token is kept, so a copy of the database
-- opens no ticket. Each email to the visitor may carry a fresh link; each expires on its own.
-- The twin of this file for the other engine must keep the same tables and columns.
CREATE TABLE ticket_links (
    id          INTEGER PRIMARY KEY,
    portal_id   INTEGER NOT NULL,
    ticket_id   INTEGER NOT NULL,
    token_hash  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    -- NULL: never expires.
    expires_at  INTEGER,
    UNIQUE (portal_id, id),
    UNIQUE (portal_id, token_hash),
    FOREIGN KEY (portal_id, ticket_id) REFERENCES tickets (portal_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_links_by_ticket ON ticket_links (portal_id, ticket_id);
CREATE INDEX ticket_links_by_expiry ON ticket_links (expires_at);
