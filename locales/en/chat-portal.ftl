# Live chat, the customers' side (src/chat/store.rs, ws.rs, hours.rs, portal*.rs, widget.rs).

## System lines in a chat (store.rs: a key and its arguments, shown in each reader's language)
chat-system-joined = { $name } joined the chat.
chat-system-transferred-agent = The chat was transferred to { $name }.
chat-system-transferred-department = The chat was transferred to { $department }.
chat-system-ended = The chat has ended.
chat-system-ended-customer = { $name } ended the chat.

## The socket's errors
chat-error-bad-frame = That message could not be read. Reload the page and try again.
chat-error-bad-after = The address asks to resume after a message number that is not a number.
chat-error-not-a-socket = This address is for the chat's live connection; open the chat page instead.
chat-error-empty = Write a message first.
chat-error-too-long = A message can have at most { $max } characters.
chat-error-control = The message contains characters that cannot be sent.
chat-error-bad-client-id = The message has no valid id. Reload the page and try again.
chat-error-read-only = You are reading this chat; only its agent can write in it.
chat-error-not-yours = This chat is no longer assigned to you.
chat-error-ended = This chat has ended: no more messages can be sent.
chat-error-slow-down = Too many messages at once. The message will be sent again in a moment.
chat-error-not-stored = The message could not be stored just now. It will be sent again.

## Chat hours (hours.rs)
chat-hours-day-mon = Monday
chat-hours-day-tue = Tuesday
chat-hours-day-wed = Wednesday
chat-hours-day-thu = Thursday
chat-hours-day-fri = Friday
chat-hours-day-sat = Saturday
chat-hours-day-sun = Sunday
chat-hours-too-long = Chat hours can have at most { $max } characters.
chat-hours-two-zones = Give the time zone once (a line such as UTC-03:00).
chat-hours-bad-zone = "{ $zone }" is not a UTC offset. Write UTC, UTC+2, UTC-03:00 or UTC+05:30.
chat-hours-bad-day = "{ $day }" is not a day. Use mon, tue, wed, thu, fri, sat or sun, a range such as mon-fri, or a list such as mon,wed.
chat-hours-backward-days = "{ $days }" goes backwards: write the earlier day first, as in mon-fri.
chat-hours-bad-period = "{ $period }" is not a period of time. Write it as 09:00-18:00 (24-hour clock).
chat-hours-backward-period = "{ $period }" ends before it starts. A period cannot cross midnight: give each day its own, such as 22:00-24:00 and 00:00-02:00.
chat-hours-no-period = "{ $rule }" names days but no hours. Add them, as in mon-fri 09:00-18:00.
chat-hours-empty = The chat hours name no day. Write one line per day or range of days, as in mon-fri 09:00-18:00.
