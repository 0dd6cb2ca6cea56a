# Tickets' portal settings (src/tickets/settings.rs): visitors, the customer's choice of priority,
# attachment limits.

ticket-settings-title = Tickets
ticket-settings-visitors-label = Visitors may submit tickets
ticket-settings-visitors-help = true or false: people who are not signed in may submit a ticket with their name and email address
ticket-settings-visitors-note = They follow it through a private link sent to that address. Until they open it, agents see the ticket as unverified.
ticket-settings-priority-label = Customers choose a priority
ticket-settings-priority-help = true or false: the new-ticket form asks customers how urgent it is (otherwise every ticket starts normal)
ticket-settings-file-mb-label = Largest attachment (MB)
ticket-settings-file-mb-help = the largest file accepted, in megabytes, 1-100 (default 10)
ticket-settings-message-mb-label = Attachments per message (MB)
ticket-settings-message-mb-help = the most the files of one message may weigh together, in megabytes, 1-100 (default 25)
ticket-settings-mb-not-a-number = { $key } takes a number of megabytes, not { $value }
ticket-settings-mb-out-of-range = { $key } must be between 1 and { $max } megabytes
ticket-settings-message-below-file = The limit per message cannot be below the limit per file ({ $file } MB).
