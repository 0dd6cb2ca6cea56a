# The outbox page: src/outbox/.

menu-outbox = Outbox
notice-requeued = The message is queued again and goes out shortly.
