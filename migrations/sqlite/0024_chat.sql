-- Live chat, agent presence and routing, collision warnings (issue 16). Every table carries
-- portal_id in its keys and in the foreign keys to its parent. The twin of this file for the
-- other engine must keep the same tables and columns.

-- Per department: how long an offered agent has to accept before the chat goes to the next one,
-- when chats are answered (NULL: always; otherwise a weekly schedule, see src/chat/hours.rs),
-- and whether new tickets are assigned round robin to agents available for tickets.
ALTER TABLE departments ADD COLUMN chat_accept_seconds INTEGER NOT NULL DEFAULT 30;
ALTER TABLE departments ADD COLUMN chat_hours TEXT;
ALTER TABLE departments ADD COLUMN assign_tickets TEXT NOT NULL DEFAULT 'manual'
    CHECK (assign_tickets IN ('manual', 'round_robin'));

-- An agent's presence in one portal on one channel. Routing only ever picks 'available' rows
-- whose lease is current: every live connection of the agent (a socket or an open page) pushes
-- lease_until forward, so a node that dies stops renewing the leases of its agents.
CREATE TABLE agent_presence (
    portal_id         INTEGER NOT NULL,
    staff_id          INTEGER NOT NULL,
    channel           TEXT    NOT NULL CHECK (channel IN ('chat', 'tickets')),
    state             TEXT    NOT NULL CHECK (state IN ('available', 'away', 'offline')),
    -- Most chats at once (the chat channel); ignored for tickets.
    capacity          INTEGER NOT NULL DEFAULT 3,
    -- Since when the agent has had nothing new: routing prefers the one idle longest, and
    -- round robin the one assigned longest ago.
    idle_since        INTEGER NOT NULL,
    lease_until       INTEGER NOT NULL DEFAULT 0,
    -- Why the state was last set by the desk rather than the agent ('grace', 'forced', 'sign-out', 'session'); NULL when the agent chose it.
    set_by            TEXT,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (portal_id, staff_id, channel),
    FOREIGN KEY (staff_id, portal_id) REFERENCES staff_portals (staff_id, portal_id) ON DELETE CASCADE
);
CREATE INDEX agent_presence_by_staff ON agent_presence (staff_id);

CREATE TABLE chats (
    id                INTEGER PRIMARY KEY,
    portal_id         INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    department_id     INTEGER NOT NULL,
    -- The customer; NULL for a visitor (then a visitor token, stored as a SHA-256 hash, reaches it).
    customer_id       INTEGER,
    visitor_token_hash TEXT UNIQUE,
    requester_name    TEXT    NOT NULL,
    requester_email   TEXT    NOT NULL,
    language          TEXT    NOT NULL,
    -- 'portal' or 'widget' (embedded in the company's own site).
    origin            TEXT    NOT NULL CHECK (origin IN ('portal', 'widget')),
    -- waiting: in the department's queue; offered: to agent_id until offered_until;
    -- active: agent_id answers it; ended.
    state             TEXT    NOT NULL CHECK (state IN ('waiting', 'offered', 'active', 'ended')),
    agent_id          INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    offered_until     INTEGER,
    -- The queue's order: a chat that goes back to the queue keeps its place.
    queued_at         INTEGER NOT NULL,
    -- Messages are numbered per chat; a client resumes after the last number it has.
    last_seq          INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    accepted_at       INTEGER,
    ended_at          INTEGER,
    -- 'customer', 'agent', 'timeout', 'ticket' (turned into a ticket), 'offline' (left a message).
    ended_by          TEXT,
    rating            INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment    TEXT,
    -- The ticket the chat became, or the message left while nobody was available.
    ticket_id         INTEGER,
    UNIQUE (portal_id, id),
    FOREIGN KEY (portal_id, department_id) REFERENCES departments (portal_id, id),
    FOREIGN KEY (portal_id, customer_id) REFERENCES customers (portal_id, id),
    FOREIGN KEY (portal_id, ticket_id) REFERENCES tickets (portal_id, id)
);
CREATE INDEX chats_queue ON chats (portal_id, department_id, state, queued_at, id);
CREATE INDEX chats_by_agent ON chats (portal_id, agent_id, state);
CREATE INDEX chats_by_customer ON chats (portal_id, customer_id, created_at);
CREATE INDEX chats_open ON chats (state, offered_until) WHERE state IN ('offered', 'active');

CREATE TABLE chat_messages (
    id                INTEGER PRIMARY KEY,
    portal_id         INTEGER NOT NULL,
    chat_id           INTEGER NOT NULL,
    seq               INTEGER NOT NULL,
    author            TEXT    NOT NULL CHECK (author IN ('customer', 'agent', 'system')),
    staff_id          INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    -- The sender's own id for the message: a resent message with the same id is stored once.
    client_id         TEXT,
    body              TEXT    NOT NULL,
    attachment_id     INTEGER,
    created_at        INTEGER NOT NULL,
    UNIQUE (portal_id, chat_id, seq),
    UNIQUE (portal_id, chat_id, author, client_id),
    FOREIGN KEY (portal_id, chat_id) REFERENCES chats (portal_id, id) ON DELETE CASCADE,
    FOREIGN KEY (portal_id, attachment_id) REFERENCES attachments (portal_id, id)
);

-- Who was offered which chat, until when, and what came of it: a chat is handed to the next
-- agent, never back to one who let it pass.
CREATE TABLE chat_offers (
    portal_id         INTEGER NOT NULL,
    chat_id           INTEGER NOT NULL,
    staff_id          INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    offered_at        INTEGER NOT NULL,
    until             INTEGER NOT NULL,
    -- NULL while open; 'accepted', 'declined', 'expired', 'withdrawn'.
    outcome           TEXT,
    PRIMARY KEY (portal_id, chat_id, staff_id, offered_at),
    FOREIGN KEY (portal_id, chat_id) REFERENCES chats (portal_id, id) ON DELETE CASCADE
);

-- Who is looking at a ticket, or writing a reply to it, until when (renewed while the page is open).
CREATE TABLE ticket_viewers (
    portal_id         INTEGER NOT NULL,
    ticket_id         INTEGER NOT NULL,
    staff_id          INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    writing           INTEGER NOT NULL DEFAULT 0,
    until             INTEGER NOT NULL,
    PRIMARY KEY (portal_id, ticket_id, staff_id),
    FOREIGN KEY (portal_id, ticket_id) REFERENCES tickets (portal_id, id) ON DELETE CASCADE
);
