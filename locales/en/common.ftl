# Shared by every page: the frame, error pages, the language switcher, rules other features
# announce now so that their words are settled (the sign-out refusal comes with chat).

language-name = English
language-switcher = Language
product-name = Frontdesk

error-title-400 = Bad Request
error-title-403 = Forbidden
error-title-404 = Not Found
error-title-409 = Conflict
error-title-410 = Gone
error-title-413 = Payload Too Large
error-title-422 = Unprocessable Entity
error-title-429 = Too Many Requests
error-title-500 = Internal Server Error
error-title-503 = Service Unavailable
error-title-other = Error
error-reference = If you report this, quote reference
error-go-to-sign-in = Go to the sign-in page
error-bad-address = This address is not valid. Check the link and try again.
error-not-found = That page does not exist, or you may not see it.
error-csrf = This form has expired or was sent from another site. Go back, reload the page and try again.
error-too-large = What you sent is too large. Shorten the text and try again.
error-internal = Something went wrong on our side. Please try again in a moment.
error-changed-meanwhile = Something this change refers to was changed or removed by someone else meanwhile. Nothing was saved: reload the page and try again.
error-database-unavailable = The help desk cannot reach its database at the moment. Please try again in a few seconds.


# The management layout (src/web/templates/shell.html).
shell-open-menu = Open the menu
shell-account-menu = Account menu
shell-profile = Profile
shell-settings = Settings
shell-sign-out = Sign out
shell-main-menu = Main menu
shell-working-in = Working in
shell-switch = Switch

# The portal's frame (src/web/templates/portal_frame.html).
portal-sign-in = Sign in
portal-profile = Profile
portal-management = Management interface
portal-sign-out = Sign out

# Forms.
form-fix-following = Please fix the following:
form-email = Email
form-password = Password
portal-menu = Portal menu

# What a form or an address refused before any feature saw it (src/web/).
form-not-a-form = This address takes a submitted form (application/x-www-form-urlencoded).
form-incomplete = The form was not received completely. Please send it again.
form-unreadable = The form could not be read.
form-wrong-field = The form is missing a field or has a value of the wrong kind ({ $detail }).
input-address-control-character = This address has a control character in it (a NUL or a line break, say). Check the link and try again.
input-query-control-character = The field “{ $name }” in this address has a control character in it (a NUL, tab or line break, say). Check the link and try again.
input-query-control-character-unnamed = A value in this address has a control character in it (a NUL, tab or line break, say). Check the link and try again.
input-field-control-character = The field “{ $name }” has a control character in it (a line break, tab or NUL, say), which it does not accept. Remove it and send the form again.
input-field-control-character-unnamed = A field of this form has a control character in it (a line break, tab or NUL, say), which it does not accept. Remove it and send the form again.
