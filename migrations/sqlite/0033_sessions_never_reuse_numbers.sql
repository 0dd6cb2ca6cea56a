-- A session's number is never given to another session (AUTOINCREMENT). Without it SQLite gives
-- the highest number again once its row is gone: someone signs out of the newest session, anyone
-- signs in, and the new session has the old one's number. What is kept by number then mixes the
-- two: a chat socket opened by the ended session asks whether its session is current, and finds
-- the new one; the end of the old one, told by number, is heard by the new one's sockets.
-- PostgreSQL's sequence never gives a number twice. The table is rebuilt (SQLite cannot add
-- AUTOINCREMENT to a table), keeping every row and number; no other table refers to it.
CREATE TABLE sessions_numbered (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash    TEXT    NOT NULL UNIQUE,
    realm         TEXT    NOT NULL CHECK (realm IN ('manage', 'portal')),
    staff_id      INTEGER REFERENCES staff(id) ON DELETE CASCADE,
    customer_id   INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    portal_id     INTEGER REFERENCES portals(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    user_agent    TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    sso_portal_id INTEGER REFERENCES portals(id) ON DELETE SET NULL,
    CHECK ((staff_id IS NULL) <> (customer_id IS NULL))
);
INSERT INTO sessions_numbered (id, token_hash, realm, staff_id, customer_id, portal_id, created_at, last_seen_at,
    expires_at, user_agent, ip, sso_portal_id)
SELECT id, token_hash, realm, staff_id, customer_id, portal_id, created_at, last_seen_at, expires_at, user_agent, ip,
    sso_portal_id FROM sessions;
-- Numbers go on after the highest given so far, an ended session's too.
DELETE FROM sqlite_sequence WHERE name = 'sessions_numbered';
INSERT INTO sqlite_sequence (name, seq) SELECT 'sessions_numbered', MAX(n) FROM (
    SELECT MAX(id) AS n FROM sessions UNION ALL SELECT MAX(session_id) FROM ended_sessions UNION ALL SELECT 0);
DROP TRIGGER sessions_ended;
DROP TABLE sessions;
ALTER TABLE sessions_numbered RENAME TO sessions;
CREATE INDEX sessions_by_staff ON sessions (staff_id);
CREATE INDEX sessions_by_customer ON sessions (customer_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE TRIGGER sessions_ended AFTER DELETE ON sessions BEGIN
    INSERT INTO ended_sessions (session_id, ended_at) VALUES (old.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
