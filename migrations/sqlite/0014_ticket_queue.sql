-- The queue's filters, sorts and saved views (issue 14). The twin of this file for the other
-- engine keeps the same tables and columns.

-- The priority as a number to sort on, urgent first. A generated column keeps it right however
-- a ticket is written (the app, the seed's bulk inserts), with no code to maintain it; SQLite can
-- add only VIRTUAL generated columns, which it still indexes.
ALTER TABLE tickets ADD COLUMN priority_rank INTEGER GENERATED ALWAYS AS
    (CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END) VIRTUAL;

-- One index per sort, read backwards for a page (keyset on the sort key and id): any filter that
-- has no index of its own is checked on the rows this walk meets, and a page stops at 51.
CREATE INDEX tickets_by_activity ON tickets (portal_id, updated_at, id);
CREATE INDEX tickets_by_created ON tickets (portal_id, created_at, id);
CREATE INDEX tickets_by_priority ON tickets (portal_id, priority_rank, updated_at, id);
-- A department's queue (or filter) by activity over every status: walking the portal's activity
-- index for one small department would read the others' tickets too. (0008's department index
-- puts the status first, for one status at a time.)
CREATE INDEX tickets_by_department_activity ON tickets (portal_id, department_id, updated_at, id);
-- The customer filter: the address typed on the ticket, whatever its case (the query starts
-- from these few tickets, and from the account's by tickets_by_customer).
CREATE INDEX tickets_by_requester_email ON tickets (portal_id, lower(requester_email));

-- Saved views: a named filter of the queue page. Personal (department_id NULL) or shared by an
-- administrator with every member of a department. `query` is the canonical filter string,
-- parsed and checked against the viewer's scope each time it is shown.
CREATE TABLE ticket_views (
    id             INTEGER PRIMARY KEY,
    portal_id      INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    staff_id       INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    department_id  INTEGER,
    name           TEXT    NOT NULL,
    query          TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (portal_id, id),
    FOREIGN KEY (portal_id, department_id) REFERENCES departments (portal_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_views_by_owner ON ticket_views (portal_id, staff_id, id);
CREATE INDEX ticket_views_by_department ON ticket_views (portal_id, department_id, id);
