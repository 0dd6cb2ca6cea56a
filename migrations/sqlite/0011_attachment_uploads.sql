-- Files uploaded with a form are stored as they arrive, before the message they belong to is
-- written (so that the database's one writer is never held while bytes come over the network),
-- and linked to it when it is. Until then `pending_since` holds when the upload began; linking
-- clears it. A file still pending an hour later belongs to a message that was never written (the
-- browser went away, or the server stopped mid-request) and is swept by the janitor. Files stored
-- in the transaction of their message never pend (NULL).
ALTER TABLE attachments ADD COLUMN pending_since INTEGER;
CREATE INDEX attachments_pending ON attachments (pending_since) WHERE pending_since IS NOT NULL;
