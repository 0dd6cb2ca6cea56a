-- Which ticket emails a staff member wants in a portal. A missing row means yes: every kind is
-- on until its owner turns it off on their profile. Kinds: 'new_ticket' (a new ticket in one of
-- their departments), 'assigned' (a ticket assigned to them), 'customer_reply' (the customer
-- answered a ticket assigned to them).
-- The twin of this file for the other engine must keep the same tables and columns.
CREATE TABLE staff_email_preferences (
    portal_id   BIGINT  NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    staff_id    BIGINT  NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('new_ticket', 'assigned', 'customer_reply')),
    enabled     BIGINT  NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (portal_id, staff_id, kind)
);

-- Finding a ticket's emails by the key of their Message-ID (for threading, and later for
-- matching a reply that arrives by email).
CREATE INDEX ticket_messages_by_email ON ticket_messages (portal_id, email_message_id);
