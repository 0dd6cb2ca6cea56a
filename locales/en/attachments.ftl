# Files attached to messages (src/tickets/attachments.rs).

attachment-empty = The file { $name } is empty.
attachment-too-large = The file { $name } is larger than { $megabytes } MB. Send a smaller file, or split it.
attachment-interrupted = The file { $name } did not arrive completely. Please send it again.
