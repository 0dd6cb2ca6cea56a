# The agents' side of chat (src/chat/console.rs, supervise.rs, viewers.rs).

## Who else is on a ticket (viewers.rs)
chat-viewers-heading = Also on this ticket
chat-viewers-viewing = is looking at it
chat-viewers-writing = is writing a reply
