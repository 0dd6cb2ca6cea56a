-- A change counter for the customers. Each node keeps the customers' signed-in sessions it read
-- lately in memory (src/auth/signed_in.rs); a node reads this row with `config_version` a few
-- times a second and forgets them all when the number moved. Triggers bump it, so every writer
-- counts: the server, the command line in another process, and SQL typed by hand. Sessions that
-- end are announced by `ended_sessions` (migration 0029).
CREATE TABLE customers_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO customers_version (id, version) VALUES (1, 0);

CREATE TRIGGER customers_updated AFTER UPDATE ON customers
BEGIN UPDATE customers_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER customers_deleted AFTER DELETE ON customers
BEGIN UPDATE customers_version SET version = version + 1 WHERE id = 1; END;
