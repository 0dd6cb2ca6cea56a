-- A change counter for what a signed-in customer's pages rest on: the customers, and whether
-- their sessions still exist. Each node remembers the customers' sessions it read lately, with
-- their accounts (src/auth/signed_in.rs); a node reads this row with `config_version` a few
-- times a second and forgets them all when the number moved. Triggers bump it, so every writer
-- counts: the server, the command line in another process, and SQL typed by hand.
CREATE TABLE signed_in_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO signed_in_version (id, version) VALUES (1, 0);

-- Only a change to what a node remembers of a customer counts: `SET id = id`, which locks the
-- row for a password-reset form, does not.
CREATE TRIGGER customers_changed AFTER UPDATE ON customers
WHEN old.id IS NOT new.id OR old.portal_id IS NOT new.portal_id OR old.email IS NOT new.email
    OR old.name IS NOT new.name OR old.mobile IS NOT new.mobile OR old.password_hash IS NOT new.password_hash
    OR old.must_change_password IS NOT new.must_change_password OR old.disabled_at IS NOT new.disabled_at
    OR old.language IS NOT new.language
BEGIN UPDATE signed_in_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER customers_deleted AFTER DELETE ON customers
BEGIN UPDATE signed_in_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER sessions_ended_counted AFTER DELETE ON sessions
BEGIN UPDATE signed_in_version SET version = version + 1 WHERE id = 1; END;
