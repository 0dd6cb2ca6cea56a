-- An email's place in a conversation (a ticket's thread): the Message-ID keys of the earlier
-- emails it follows, oldest first, separated by spaces. The last is the one it answers
-- (In-Reply-To); all of them make its References, so mail clients show one conversation.
ALTER TABLE outbox ADD COLUMN thread_refs TEXT;
