# Chat: agents' presence, routing, the sign-out rule (lane: core).
chat-offer-gone = This chat is no longer offered to you: it was taken back or went to someone else.
chat-transfer-agent-unavailable = That agent cannot take a chat now: they are not available, or already have as many chats as they take.
