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
chat-error-no-access = You can no longer see this chat.
chat-error-gone = This chat can no longer be followed from this browser: a newer chat took its place, or you signed in or out since it started.
chat-error-ended = This chat has ended: no more messages can be sent.
chat-error-signed-out = Your session has ended. Sign in again to go on chatting.
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

## The portal's pages (portal*.rs)
chat-menu = Chat
chat-start-title = Chat with us
chat-start-new = Start a new chat
chat-start-submit = Start the chat
chat-start-anyway = My question is not answered: start the chat
chat-no-departments = Chat is not available here yet.
chat-staff-use-management = You are signed in as staff: chats are answered in the management interface.
chat-suggest-title = These articles may answer your question
chat-suggest-intro = Have a look while you are here: if one answers your question, there is no need to wait for an agent.
chat-field-name = Your name
chat-field-email = Your email address
chat-field-department = Department
chat-field-department-choose = Choose a department
chat-field-message = Your message
chat-field-subject = Subject
chat-field-reply = Your message
chat-department-unknown = Choose one of the departments listed.
chat-name-required = Please tell us your name.
chat-email-invalid = Please enter one email address, such as name@example.com.
chat-wait = You have started several chats a short while ago. You can start another in { $wait }.
chat-leave-title = Leave us a message
chat-leave-nobody = Nobody can answer a chat right now. Leave a message and we will answer it by email as soon as we can.
chat-leave-closed = Chats are answered during the department's hours only. Leave a message and we will answer it by email.
chat-leave-hours = Chat hours ({ $zone }):
chat-leave-submit = Send the message
chat-page-title = Chat
chat-status-waiting = Waiting for an agent…
chat-status-position = You are number { $position } in the queue.
chat-status-wait = Estimated wait: about { $minutes } min.
chat-status-active = You are chatting with { $name }.
chat-status-ended = This chat has ended.
chat-status-position-js = You are number {"{"}position{"}"} in the queue.
chat-status-wait-js = Estimated wait: about {"{"}minutes{"}"} min.
chat-status-active-js = You are chatting with {"{"}agent{"}"}.
chat-typing-agent = The agent is typing…
chat-connection-lost = Connection lost. Reconnecting…
chat-sending = Sending…
chat-upload-failed = The file could not be sent.
chat-send = Send
chat-attach = Attach a file
chat-end = End the chat
chat-notice-ended = You ended the chat.
chat-notice-rated = Thank you for your rating.
chat-notice-transcript = The transcript is on its way to your email address.
chat-rating-title = How was this chat?
chat-rating-value = { $rating ->
    [one] 1 star
   *[other] { $rating } stars
}
chat-rating-comment = Comment (optional)
chat-rating-submit = Send the rating
chat-rating-choose = Choose a rating from 1 to 5 stars.
chat-rating-comment-too-long = A comment can have at most { $max } characters.
chat-rating-already = This chat has been rated already.
chat-rating-not-ended = A chat can be rated once it has ended.
chat-transcript-button = Email me the transcript
chat-transcript-wait = The transcript was sent several times a short while ago. You can ask again in { $wait }.
chat-transcript-subject = Your chat with { $place }
chat-transcript-intro = Here is the transcript of your chat with { $department }, started { $when }.
chat-transcript-after = You asked for this transcript from the chat page. If you did not, you can ignore this email.
chat-history-title = Your chats
chat-history-link = Your chats
chat-history-empty = You have not chatted with us yet.
chat-history-rated = Rated { $rating }/5
chat-state-waiting = Waiting
chat-state-active = In progress
chat-state-ended = Ended

## Settings (portal_settings.rs)
chat-settings-title = Chat
chat-settings-visitors-label = Visitors may start chats
chat-settings-visitors-help = true or false: people who are not signed in may start a chat with their name and email address
chat-settings-visitors-note = They give a name and an email address, which nobody has verified. Needed for the chat widget on your own site.
chat-settings-origins-label = Sites allowed to embed the chat
chat-settings-origins-help = the addresses of your own sites, such as https://www.example.com, separated by spaces
chat-settings-origins-note = Only these sites can show the chat widget. Give each as https://host (or https://host:port), separated by spaces.
chat-settings-origin-invalid = "{ $origin }" is not a site address. Write it as https://www.example.com: https, the host, and nothing after it.
chat-settings-origins-too-many = At most { $max } sites can embed the chat.
chat-settings-origins-too-long = The list of sites is too long.
chat-settings-snippet-label = Copy this line into the pages of those sites, before </body>:

## The widget (widget.rs)
chat-widget-unavailable = Nobody can answer a chat right now.
chat-widget-leave-link = Leave us a message instead
