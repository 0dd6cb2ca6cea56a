-- An ordinary chat message is stored in one statement (src/chat/store_sqlite.rs), numbered
-- `last_seq + 1` as it is inserted; this trigger moves the chat's counter up to it in the same
-- statement. The transaction path (src/chat/store.rs, `append_on`) raises the counter first, so
-- its insert finds it already there and changes nothing.
CREATE TRIGGER chat_messages_numbered AFTER INSERT ON chat_messages BEGIN
    UPDATE chats SET last_seq = new.seq
    WHERE portal_id = new.portal_id AND id = new.chat_id AND last_seq < new.seq;
END;
