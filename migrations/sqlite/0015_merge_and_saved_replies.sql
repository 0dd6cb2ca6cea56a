-- Merging tickets and saved replies (issue 14). The twin of this file for the other engine must
-- keep the same tables and columns.

-- The tickets merged into one: when that one is merged in turn, they are pointed at its target
-- too (src/tickets/merge.rs), so a merged ticket always points at a ticket that is not merged.
CREATE INDEX tickets_merged_into ON tickets (portal_id, merged_into_id) WHERE merged_into_id IS NOT NULL;

-- Texts an agent inserts into a reply: a department's (offered on that department's tickets,
-- managed by those who manage departments) or one agent's own (staff_id), never both.
CREATE TABLE saved_replies (
    id             INTEGER PRIMARY KEY,
    portal_id      INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
    department_id  INTEGER,
    staff_id       INTEGER REFERENCES staff(id) ON DELETE CASCADE,
    title          TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (portal_id, id),
    FOREIGN KEY (portal_id, department_id) REFERENCES departments (portal_id, id) ON DELETE CASCADE,
    CHECK ((department_id IS NULL) <> (staff_id IS NULL))
);
CREATE INDEX saved_replies_by_staff ON saved_replies (portal_id, staff_id, title);
CREATE INDEX saved_replies_by_department ON saved_replies (portal_id, department_id, title);
