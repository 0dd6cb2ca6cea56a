# The agents' side of chat (src/chat/console.rs, supervise.rs, viewers.rs).

## Who else is on a ticket (viewers.rs)
chat-viewers-heading = Also on this ticket
chat-viewers-viewing = is looking at it
chat-viewers-writing = is writing a reply

## The agents' chats (console.rs, console_chat.rs, console_actions.rs, console_ticket.rs)
chat-console-menu = Chats
chat-console-title = Chats
chat-console-offers = Offered to you
chat-console-offers-none = No chat is waiting for you to accept it.
chat-console-active = Your chats
chat-console-active-none = You are not answering any chat.
chat-console-queue = Waiting in your departments
chat-console-queue-none = Nobody is waiting.
chat-console-queue-help = Waiting chats are offered to available agents in turn; set yourself available for chats to receive them.
chat-console-accept = Accept
chat-console-decline = Decline
chat-console-back = All chats
chat-console-department = Department: { $name }
chat-console-became-ticket = Became ticket #{ $number }
chat-console-typing = The customer is typing…
chat-console-message = Message
chat-console-send = Send
chat-console-transfer-agent = Transfer to an agent
chat-console-transfer-department = Transfer to a department
chat-console-agent = Agent
chat-console-department-field = Department
chat-console-transfer = Transfer
chat-console-no-agents = No other agent of this department answers chats.
chat-console-no-departments = There is no other department.
chat-console-ticket = Turn into a ticket
chat-console-ticket-subject = Subject
chat-console-ticket-help = The ticket goes to this chat's department, with the transcript as its first message and the customer as requester. The chat then ends.
chat-console-ticket-button = Create the ticket and end the chat
chat-console-end = End the chat
chat-console-done-declined = You declined the chat: it goes to the next agent.
chat-console-done-transferred = The chat was transferred.
chat-console-done-ended = The chat has ended.
chat-console-done-ticket = The chat became a ticket.
chat-console-ticket-default-subject = Chat with { $name }
chat-console-ticket-conflict = This chat changed meanwhile (it was transferred, ended or already turned into a ticket): no ticket was created.
chat-console-transcript-heading = Chat transcript ({ $department }, answered by { $agent })
chat-console-transcript-file = [file: { $name }]
chat-console-state-waiting = Waiting
chat-console-state-offered = Offered
chat-console-state-active = In progress
chat-console-state-ended = Ended
chat-console-clock-left = Time left to accept:
chat-console-clock-answered = Answered for
chat-console-clock-waiting = Waiting for
chat-console-clock-waited = Waited

## Supervisors (supervise.rs)
chat-supervise-menu = Chat supervision
chat-supervise-title = Chats in progress
chat-supervise-help = Every chat waiting, offered or answered in your departments. Open one to read along; you cannot write in it.
chat-supervise-in-progress = In progress
chat-supervise-none = No chat is in progress.
chat-supervise-agent = Agent: { $name }
chat-supervise-back = All chats in progress
chat-supervise-reading = You are reading along: the customer and the agent do not see you, and you cannot write here.
chat-console-js-waiting = Waiting in the queue.
chat-console-js-position = Number {"{"}position{"}"} in the queue.
chat-console-js-active = Answered by {"{"}agent{"}"}.
chat-supervise-typing = Someone is typing…
