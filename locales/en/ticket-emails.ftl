# The emails of tickets (src/tickets/notify): to the requester and to agents. Each is written in
# its recipient's language; every subject starts with the ticket's number.

ticket-email-received-subject = [#{ $number }] Received: { $subject }
ticket-email-received-body = We received your request and opened ticket #{ $number }, “{ $subject }”. We will answer you as soon as we can.
ticket-email-your-message = Your message
ticket-email-follow = See your ticket
ticket-email-answer-on-page = To answer, open your ticket with the link above.

ticket-email-reply-subject = [#{ $number }] New reply: { $subject }
ticket-email-reply-body = { $author } answered your ticket #{ $number }, “{ $subject }”.

ticket-email-resolved-subject = [#{ $number }] Resolved: { $subject }
ticket-email-resolved-body = Your ticket #{ $number }, “{ $subject }”, has been marked as resolved. If something is still not right, reply on the ticket's page and it will be opened again.

ticket-email-new-subject = [#{ $number }] New ticket: { $subject }
ticket-email-new-body = { $requester } opened ticket #{ $number } in { $department }: “{ $subject }”.
ticket-email-open = Open the ticket
ticket-email-preferences = You can choose which ticket emails you get on your profile.

ticket-email-assigned-subject = [#{ $number }] Assigned to you: { $subject }
ticket-email-assigned-body = { $actor } assigned ticket #{ $number }, “{ $subject }”, to you.
ticket-email-assigned-body-system = Ticket #{ $number }, “{ $subject }”, has been assigned to you.

ticket-email-customer-reply-subject = [#{ $number }] Customer replied: { $subject }
ticket-email-customer-reply-body = { $customer } replied on ticket #{ $number }, “{ $subject }”, which is assigned to you.

# The profile's section.
ticket-email-prefs-heading = Ticket emails
ticket-email-prefs-help = Which emails about tickets you get in { $portal }.
ticket-email-prefs-new-ticket = A new ticket in one of my departments
ticket-email-prefs-assigned = A ticket is assigned to me
ticket-email-prefs-customer-reply = The customer replies on a ticket assigned to me
ticket-email-prefs-save = Save email choices
