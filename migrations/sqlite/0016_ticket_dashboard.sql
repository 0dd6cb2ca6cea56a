-- The dashboard's counters and customers' satisfaction ratings.
-- The twin of this file for the other engine must keep the same tables and columns.
--
-- Counters are kept by TRIGGERS on tickets, so that every way a ticket is written (a page, a
-- bulk action, a merge, the seed, the command line) keeps them right, in the same transaction
-- as the change: they can never disagree with the tickets once it commits. Counting tickets
-- on each page view would read every active ticket of a portal (a million at scale).

-- How many tickets of a department have each status and assignee (0 = nobody).
CREATE TABLE ticket_counts (
    portal_id      INTEGER NOT NULL,
    department_id  INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    assignee_id    INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (portal_id, department_id, status, assignee_id),
    FOREIGN KEY (portal_id, department_id) REFERENCES departments (portal_id, id) ON DELETE CASCADE
);

-- Per department and UTC day (Unix seconds / 86400, rounded down): tickets created that day,
-- tickets whose last resolution fell that day, and ratings given that day.
CREATE TABLE ticket_daily (
    portal_id      INTEGER NOT NULL,
    department_id  INTEGER NOT NULL,
    day            INTEGER NOT NULL,
    created        INTEGER NOT NULL DEFAULT 0,
    resolved       INTEGER NOT NULL DEFAULT 0,
    rated_good     INTEGER NOT NULL DEFAULT 0,
    rated_bad      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (portal_id, department_id, day),
    FOREIGN KEY (portal_id, department_id) REFERENCES departments (portal_id, id) ON DELETE CASCADE
);
-- The dashboard reads the last 30 days of a portal.
CREATE INDEX ticket_daily_by_day ON ticket_daily (portal_id, day);

-- One rating per ticket, changed in place; `department_id` is where the ticket was when rated
-- (the dashboard's share of good ratings counts it there).
CREATE TABLE ticket_ratings (
    portal_id      INTEGER NOT NULL,
    ticket_id      INTEGER NOT NULL,
    department_id  INTEGER NOT NULL,
    rating         TEXT    NOT NULL CHECK (rating IN ('good', 'bad')),
    comment        TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (portal_id, ticket_id),
    FOREIGN KEY (portal_id, ticket_id) REFERENCES tickets (portal_id, id) ON DELETE CASCADE
);

-- The links in "your ticket was resolved" emails: whoever holds one rates that ticket without
-- signing in. Only the SHA-256 of the random token is kept.
CREATE TABLE ticket_rating_links (
    id          INTEGER PRIMARY KEY,
    portal_id   INTEGER NOT NULL,
    ticket_id   INTEGER NOT NULL,
    token_hash  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    UNIQUE (portal_id, token_hash),
    FOREIGN KEY (portal_id, ticket_id) REFERENCES tickets (portal_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_rating_links_by_ticket ON ticket_rating_links (portal_id, ticket_id);
CREATE INDEX ticket_rating_links_by_expiry ON ticket_rating_links (expires_at);

-- Backfill from the tickets there are.
INSERT INTO ticket_counts (portal_id, department_id, status, assignee_id, n)
SELECT portal_id, department_id, status, COALESCE(assignee_id, 0), COUNT(*) FROM tickets
GROUP BY portal_id, department_id, status, COALESCE(assignee_id, 0);
INSERT INTO ticket_daily (portal_id, department_id, day, created)
SELECT portal_id, department_id, created_at / 86400, COUNT(*) FROM tickets
GROUP BY portal_id, department_id, created_at / 86400;
INSERT INTO ticket_daily (portal_id, department_id, day, resolved)
SELECT portal_id, department_id, resolved_at / 86400, COUNT(*) FROM tickets WHERE resolved_at IS NOT NULL
GROUP BY portal_id, department_id, resolved_at / 86400
ON CONFLICT (portal_id, department_id, day) DO UPDATE SET resolved = excluded.resolved;

CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_counts (portal_id, department_id, status, assignee_id, n)
    VALUES (new.portal_id, new.department_id, new.status, COALESCE(new.assignee_id, 0), 1)
    ON CONFLICT (portal_id, department_id, status, assignee_id) DO UPDATE SET n = n + 1;
    INSERT INTO ticket_daily (portal_id, department_id, day, created)
    VALUES (new.portal_id, new.department_id, new.created_at / 86400, 1)
    ON CONFLICT (portal_id, department_id, day) DO UPDATE SET created = created + 1;
    INSERT INTO ticket_daily (portal_id, department_id, day, resolved)
    SELECT new.portal_id, new.department_id, new.resolved_at / 86400, 1 WHERE new.resolved_at IS NOT NULL
    ON CONFLICT (portal_id, department_id, day) DO UPDATE SET resolved = resolved + 1;
END;

CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_counts SET n = n - 1 WHERE portal_id = old.portal_id AND department_id = old.department_id
        AND status = old.status AND assignee_id = COALESCE(old.assignee_id, 0);
    UPDATE ticket_daily SET created = created - 1 WHERE portal_id = old.portal_id
        AND department_id = old.department_id AND day = old.created_at / 86400;
    UPDATE ticket_daily SET resolved = resolved - 1 WHERE old.resolved_at IS NOT NULL AND portal_id = old.portal_id
        AND department_id = old.department_id AND day = old.resolved_at / 86400;
END;

CREATE TRIGGER tickets_count_update AFTER UPDATE OF status, department_id, assignee_id, resolved_at, created_at ON tickets
WHEN old.status IS NOT new.status OR old.department_id IS NOT new.department_id
  OR old.assignee_id IS NOT new.assignee_id OR old.resolved_at IS NOT new.resolved_at
  OR old.created_at IS NOT new.created_at
BEGIN
    UPDATE ticket_counts SET n = n - 1 WHERE portal_id = old.portal_id AND department_id = old.department_id
        AND status = old.status AND assignee_id = COALESCE(old.assignee_id, 0);
    INSERT INTO ticket_counts (portal_id, department_id, status, assignee_id, n)
    VALUES (new.portal_id, new.department_id, new.status, COALESCE(new.assignee_id, 0), 1)
    ON CONFLICT (portal_id, department_id, status, assignee_id) DO UPDATE SET n = n + 1;
    UPDATE ticket_daily SET created = created - 1 WHERE portal_id = old.portal_id
        AND department_id = old.department_id AND day = old.created_at / 86400;
    INSERT INTO ticket_daily (portal_id, department_id, day, created)
    VALUES (new.portal_id, new.department_id, new.created_at / 86400, 1)
    ON CONFLICT (portal_id, department_id, day) DO UPDATE SET created = created + 1;
    UPDATE ticket_daily SET resolved = resolved - 1 WHERE old.resolved_at IS NOT NULL AND portal_id = old.portal_id
        AND department_id = old.department_id AND day = old.resolved_at / 86400;
    INSERT INTO ticket_daily (portal_id, department_id, day, resolved)
    SELECT new.portal_id, new.department_id, new.resolved_at / 86400, 1 WHERE new.resolved_at IS NOT NULL
    ON CONFLICT (portal_id, department_id, day) DO UPDATE SET resolved = resolved + 1;
END;

-- Ratings counted on the day of their last change, in the department they name.
CREATE TRIGGER ticket_ratings_count_insert AFTER INSERT ON ticket_ratings BEGIN
    INSERT INTO ticket_daily (portal_id, department_id, day, rated_good, rated_bad)
    VALUES (new.portal_id, new.department_id, new.updated_at / 86400,
            CASE WHEN new.rating = 'good' THEN 1 ELSE 0 END, CASE WHEN new.rating = 'bad' THEN 1 ELSE 0 END)
    ON CONFLICT (portal_id, department_id, day) DO UPDATE SET
        rated_good = rated_good + excluded.rated_good, rated_bad = rated_bad + excluded.rated_bad;
END;

CREATE TRIGGER ticket_ratings_count_delete AFTER DELETE ON ticket_ratings BEGIN
    UPDATE ticket_daily SET rated_good = rated_good - CASE WHEN old.rating = 'good' THEN 1 ELSE 0 END,
        rated_bad = rated_bad - CASE WHEN old.rating = 'bad' THEN 1 ELSE 0 END
    WHERE portal_id = old.portal_id AND department_id = old.department_id AND day = old.updated_at / 86400;
END;

CREATE TRIGGER ticket_ratings_count_update AFTER UPDATE ON ticket_ratings
WHEN old.rating IS NOT new.rating OR old.department_id IS NOT new.department_id
  OR old.updated_at / 86400 IS NOT new.updated_at / 86400
BEGIN
    UPDATE ticket_daily SET rated_good = rated_good - CASE WHEN old.rating = 'good' THEN 1 ELSE 0 END,
        rated_bad = rated_bad - CASE WHEN old.rating = 'bad' THEN 1 ELSE 0 END
    WHERE portal_id = old.portal_id AND department_id = old.department_id AND day = old.updated_at / 86400;
    INSERT INTO ticket_daily (portal_id, department_id, day, rated_good, rated_bad)
    VALUES (new.portal_id, new.department_id, new.updated_at / 86400,
            CASE WHEN new.rating = 'good' THEN 1 ELSE 0 END, CASE WHEN new.rating = 'bad' THEN 1 ELSE 0 END)
    ON CONFLICT (portal_id, department_id, day) DO UPDATE SET
        rated_good = rated_good + excluded.rated_good, rated_bad = rated_bad + excluded.rated_bad;
END;
