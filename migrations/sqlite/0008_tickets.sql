-- Tickets: the thread, its history, and per-portal numbers. Every table carries portal_id in its
-- keys and in the foreign keys to its parent, so that the data can later be sharded by portal.
-- The twin of this file for the other engine must keep the same tables and columns.

-- Counters kept per portal and name ('ticket' numbers the tickets), advanced with
-- UPDATE ... SET last_value = last_value + 1 RETURNING last_value inside the transaction that
-- uses the number: the row lock (PostgreSQL) or the single writer (SQLite) keeps two nodes
-- from taking the same one.
CREATE TABLE portal_counters (
    portal_id   INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    last_value  INTEGER NOT NULL,
    PRIMARY KEY (portal_id, name)
);

-- Children name their parent with (portal_id, id).
CREATE UNIQUE INDEX departments_in_portal ON departments (portal_id, id);
CREATE UNIQUE INDEX customers_in_portal ON customers (portal_id, id);

CREATE TABLE tickets (
    id               INTEGER PRIMARY KEY,
    portal_id        INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    -- The customer whose ticket it is; NULL for a visitor's until its address is proven.
    customer_id      INTEGER,
    -- What a visitor typed (kept for the record once the ticket is a customer's too).
    requester_name   TEXT    NOT NULL,
    requester_email  TEXT    NOT NULL,
    -- When the requester proved the address (a signed-in customer has, at once).
    verified_at      INTEGER,
    department_id    INTEGER NOT NULL,
    assignee_id      INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    status           TEXT    NOT NULL CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
    priority         TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    subject          TEXT    NOT NULL,
    -- Who wrote the last public message: 'customer' or 'staff'.
    last_speaker     TEXT    NOT NULL CHECK (last_speaker IN ('customer', 'staff')),
    created_at       INTEGER NOT NULL,
    -- The last change of any kind; queues sort on it (keyset pagination on updated_at, id).
    updated_at       INTEGER NOT NULL,
    resolved_at      INTEGER,
    merged_into_id   INTEGER,
    UNIQUE (portal_id, number),
    UNIQUE (portal_id, id),
    FOREIGN KEY (portal_id, customer_id) REFERENCES customers (portal_id, id),
    FOREIGN KEY (portal_id, department_id) REFERENCES departments (portal_id, id),
    FOREIGN KEY (portal_id, merged_into_id) REFERENCES tickets (portal_id, id)
);
-- The queues: by status, by department, by assignee; a customer's own list.
CREATE INDEX tickets_by_status ON tickets (portal_id, status, updated_at, id);
CREATE INDEX tickets_by_department ON tickets (portal_id, department_id, status, updated_at, id);
CREATE INDEX tickets_by_assignee ON tickets (portal_id, assignee_id, status, updated_at, id);
CREATE INDEX tickets_by_customer ON tickets (portal_id, customer_id, updated_at, id);

-- The thread: public replies and internal notes.
CREATE TABLE ticket_messages (
    id                  INTEGER PRIMARY KEY,
    portal_id           INTEGER NOT NULL,
    ticket_id           INTEGER NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('public', 'note')),
    author_staff_id     INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    author_customer_id  INTEGER,
    -- The name shown with the message, kept as it was when written.
    author_name         TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    -- The Message-ID of the email that carried it (sent or, later, received), for threading.
    email_message_id    TEXT,
    created_at          INTEGER NOT NULL,
    UNIQUE (portal_id, id),
    FOREIGN KEY (portal_id, ticket_id) REFERENCES tickets (portal_id, id) ON DELETE CASCADE,
    FOREIGN KEY (portal_id, author_customer_id) REFERENCES customers (portal_id, id)
);
CREATE INDEX ticket_messages_by_ticket ON ticket_messages (portal_id, ticket_id, created_at, id);

-- The history: who changed what, when (status, priority, department, assignee, replies, notes,
-- attachments, merges). Values are stored as the codes the application uses.
CREATE TABLE ticket_events (
    id                 INTEGER PRIMARY KEY,
    portal_id          INTEGER NOT NULL,
    ticket_id          INTEGER NOT NULL,
    actor_staff_id     INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    actor_customer_id  INTEGER,
    -- Shown when the actor is gone, and for the system ('Frontdesk').
    actor_name         TEXT    NOT NULL,
    what               TEXT    NOT NULL,
    old_value          TEXT,
    new_value          TEXT,
    created_at         INTEGER NOT NULL,
    FOREIGN KEY (portal_id, ticket_id) REFERENCES tickets (portal_id, id) ON DELETE CASCADE,
    FOREIGN KEY (portal_id, actor_customer_id) REFERENCES customers (portal_id, id)
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (portal_id, ticket_id, created_at, id);
