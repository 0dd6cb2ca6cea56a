-- Files attached to ticket messages (and later to articles and chats), kept in the database so
-- that every node serves them. A file is stored in chunks of at most 256 KiB, so that writing
-- and serving one never holds the whole file in memory, and no row is larger than either engine
-- handles well. The twin of this file for the other engine must keep the same tables and columns.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    portal_id     INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    -- As the uploader named it, cleaned (no path, no control characters); shown, never trusted.
    filename      TEXT    NOT NULL,
    -- Found from the content, not the name (see src/tickets/attachments.rs).
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    chunks        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (portal_id, id)
);

CREATE TABLE attachment_chunks (
    portal_id      INTEGER NOT NULL,
    attachment_id  INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    data           BLOB    NOT NULL,
    PRIMARY KEY (portal_id, attachment_id, seq),
    FOREIGN KEY (portal_id, attachment_id) REFERENCES attachments (portal_id, id) ON DELETE CASCADE
);

CREATE TABLE ticket_message_attachments (
    portal_id      INTEGER NOT NULL,
    message_id     INTEGER NOT NULL,
    attachment_id  INTEGER NOT NULL,
    PRIMARY KEY (portal_id, message_id, attachment_id),
    FOREIGN KEY (portal_id, message_id) REFERENCES ticket_messages (portal_id, id) ON DELETE CASCADE,
    FOREIGN KEY (portal_id, attachment_id) REFERENCES attachments (portal_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_message_attachments_by_attachment ON ticket_message_attachments (portal_id, attachment_id);
