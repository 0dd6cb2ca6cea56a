-- A change counter for the portals and their settings. Every node keeps a copy of them in
-- memory (src/portals/cache.rs); on SQLite a node reads this one row a few times a second and
-- drops its copy when the number moved. Triggers bump it, so every writer counts: the server,
-- the command line in another process, and SQL typed by hand.
CREATE TABLE config_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

CREATE TRIGGER portals_inserted AFTER INSERT ON portals
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER portals_updated AFTER UPDATE ON portals
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER portals_deleted AFTER DELETE ON portals
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER portal_settings_inserted AFTER INSERT ON portal_settings
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER portal_settings_updated AFTER UPDATE ON portal_settings
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER portal_settings_deleted AFTER DELETE ON portal_settings
BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
