-- A session that ends (signed out, ended by its owner or an administrator, ended by a password
-- change, purged once expired; whoever deletes the row, by whatever path, the command line
-- too) is written here, and the server, polling this table a few times a second, closes the
-- sockets it opened (src/events/poll.rs). The PostgreSQL twin notifies instead. Rows are kept
-- a minute, then dropped by the same poll; AUTOINCREMENT: a number is never given twice, even
-- once every row is gone, so the poll never mistakes a new end for one it has seen.
CREATE TABLE ended_sessions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL
);
CREATE INDEX ended_sessions_by_time ON ended_sessions (ended_at);

CREATE TRIGGER sessions_ended AFTER DELETE ON sessions BEGIN
    INSERT INTO ended_sessions (session_id, ended_at) VALUES (old.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
