# Tickets from visitors (src/tickets/visitors.rs): the form for people who are not signed in,
# the email with the private link, and the ticket's page behind that link.
ticket-visitors-link = No account? Submit a ticket without signing in
ticket-visitors-title = Submit a ticket
ticket-visitors-intro = You do not need an account: we will email you a private link to follow your ticket. Have an account?
ticket-visitors-sign-in-instead = Sign in instead.
ticket-visitors-field-name = Your name
ticket-visitors-field-email = Your email address
ticket-visitors-email-help = The link to follow your ticket is sent to this address.
ticket-visitors-name-required = Please tell us your name.
ticket-visitors-email-invalid = Please enter one email address, such as name@example.com.
ticket-visitors-wait = Several tickets were sent from here or for this address a short while ago. You can send another in { $wait }.
ticket-visitors-sent-title = Check your email
ticket-visitors-sent-body = Your ticket has been received. We have sent a private link to the address you gave: open it to confirm the address, follow the answers and reply.
ticket-visitors-sent-missing = If the email does not arrive within a few minutes, look in your spam folder.
ticket-visitors-email-subject = Your ticket #{ $number } at { $place }
ticket-visitors-email-received = We have received your ticket #{ $number }: "{ $subject }".
ticket-visitors-email-how = Open it with the link below to read the answers, reply, or close it.
ticket-visitors-email-action = Open your ticket
ticket-visitors-email-private = The link is private: anyone who has it can read and answer this ticket, so do not share it.
ticket-visitors-email-unexpected = If you did not submit this ticket, you can ignore this email.
ticket-visitors-private-page = This page is private to you: keep its address to yourself.
ticket-visitors-link-wait = Too many wrong links were opened from your network. Wait { $wait } and try again.
