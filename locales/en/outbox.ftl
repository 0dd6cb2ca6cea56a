# The outbox page: src/outbox/.

menu-outbox = Outbox
notice-requeued = The message is queued again and goes out shortly.

outbox-title = Outbox
outbox-mail-not-delivered = Email is not being delivered: no SMTP server is configured (set FRONTDESK_SMTP_HOST and restart). Messages wait in the outbox and go out once it is.
outbox-delivery = Email is delivered through the configured SMTP server. Messages that could not be sent yet are retried with growing delays.
outbox-bodies-erased = A message's text is erased once it is sent, because it may hold a sign-in link; the list keeps who it went to, its subject and when.
outbox-none = No messages yet.
outbox-queued = Queued
outbox-to = To
outbox-subject = Subject
outbox-status = Status
outbox-attempts = Attempts
outbox-last-error = Last error
outbox-sent = sent
outbox-failed = failed
outbox-waiting = waiting
outbox-retry = Retry
outbox-sms-to = SMS to { $to }
outbox-sms-not-sent = SMS is not being sent: no SMS gateway is configured (set FRONTDESK_SMS_URL and restart). Portals cannot offer sign-in codes by SMS until it is.
