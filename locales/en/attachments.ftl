# Files attached to messages (src/tickets/attachments.rs).

attachment-empty = The file { $name } is empty.
attachment-too-large = The file { $name } is larger than { $megabytes } MB. Send a smaller file, or split it.
attachment-interrupted = The file { $name } did not arrive completely. Please send it again.

# Sizes as pages show them (src/tickets/downloads.rs).
file-size-bytes = { $count ->
    [one] { $count } byte
   *[other] { $count } bytes
}
file-size-kb = { $size } kB
file-size-mb = { $size } MB

# Forms that carry files (src/tickets/uploads.rs) and the files under a message.
upload-not-a-form = This address takes a submitted form.
upload-field-twice = The form has the field “{ $name }” more than once.
upload-unexpected-file = The form has a file where it takes none.
upload-too-many-files = A message can carry at most { $max } files. Send the others in another reply.
upload-message-too-large = With the file { $name }, the files of this message add up to more than { $megabytes } MB. Send fewer or smaller files.
upload-expired = Your files waited too long for their message. Please send the message again, with its files.
attachments-field-files = Attachments
attachments-field-hint = Up to { $count } files, at most { $file } MB each and { $message } MB together.
attachments-choose-again = The files you chose were not kept: please choose them again.
attachments-list-label = Attached files
