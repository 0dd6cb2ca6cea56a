# Merging a ticket into another of the same requester (src/tickets/merge.rs).
ticket-merge-heading = Merge into another ticket
ticket-merge-field-into = Number of the ticket to merge into
ticket-merge-help = Only another ticket of the same requester. Its thread moves there and this ticket is closed for good.
ticket-merge-submit = Merge
ticket-merge-notice-done = The ticket was merged into this one.
ticket-merge-number-needed = Enter the number of the ticket to merge into, such as 1002.
ticket-merge-self = A ticket cannot be merged into itself.
ticket-merge-already-merged = Ticket #{ $number } has already been merged.
ticket-merge-target-merged = Ticket #{ $number } has been merged into another one: merge into that one instead.
ticket-merge-other-requester = Ticket #{ $number } belongs to another requester: only tickets of the same requester can be merged.
ticket-merge-is-merged = This ticket was merged into #{ $number } and can no longer change: continue there.
ticket-merge-pointer = This ticket was merged into #{ $number }.
ticket-merge-pointer-open = Open ticket #{ $number }
ticket-merge-link-moved = Your ticket #{ $from } was merged into this one, #{ $into }: its messages are below.
ticket-merge-history-into = merged this ticket into #{ $number }
ticket-merge-history-in = merged ticket #{ $number } into this one
