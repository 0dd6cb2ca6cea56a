# Signing in and out, passwords, profiles, sessions and their emails: src/auth/.

notice-session-ended = That session has ended.
notice-password-changed = Your password has been changed.
notice-must-change = Choose a new password before you continue.

# Staff whose sign-in their organisation's directory (Microsoft Entra ID) manages.
self-managed = This user belongs to a self-managed group. Contact the account administrator.
signin-self-managed = { self-managed } Sign in with Microsoft.

# Waits, as the throttling messages put them.
wait-minutes = { $count } minutes
wait-seconds = { $count } seconds
wait-a-second = a second

# Sign-in refusals.
signin-wrong-credentials = The email address or password is incorrect.
signin-throttled = Too many failed sign-in attempts. Wait { $wait } and try again, sign in from a browser you have used here before, or reset your password by email.
signin-busy = The server is very busy signing people in. Please try again in a minute.
signin-no-portal = Your account does not work in any portal yet. Ask an administrator to add you to one.
signin-permission-needed = You need the permission "{ $permission }" in { $portal } to do this.
signin-customer-disabled = This account is disabled. Contact the help desk.

# Notices of the sign-in pages.
signin-notice-signed-out = You have signed out.
signin-notice-signed-out-here = You have signed out of Frontdesk. Microsoft could not be reached to end your session there too: close the browser to end it.
signin-notice-password-set = Your password is set. Sign in with it.
signin-notice-use-code = This portal signs you in with a one-time code instead of a password.

# The common sign-in page (/login) and the buttons every sign-in form shares.
login-title = Sign in
login-no-portal = No portal is open for sign-in here. Use the address your help desk gave you.
login-portal = Portal
login-choose-portal = Choose a portal from the list.
login-code-portals = Portals that sign you in with a one-time code take you to their own page for it.
login-submit = Sign in
login-forgot = Forgot your password?
login-staff = Staff
login-staff-before = Administrators and agents sign in to the
login-staff-link = management interface
login-staff-after = {"."}

# A portal's sign-in page.
portal-login-heading = Sign in to { $portal }
portal-login-no-passwords = { $portal } does not use passwords: sign in with a code on its sign-in page.
portal-login-or-code = Or sign in with a code
portal-login-identity = Email address or mobile number
portal-login-code-by-email = We send a 6-digit code by email.
portal-login-code-by-sms = We send a 6-digit code by SMS.
portal-login-code-by-both = We send a 6-digit code by email and by SMS.
portal-login-get-code = Get code
portal-login-staff = Staff:
portal-login-management = management interface

# Sign-in codes.
code-title = Enter your code
code-label = 6-digit code
code-new = Ask for a new code
code-refused = That code is not correct, or it has expired or been used. Check the latest message, or ask for a new code.
code-not-offered = { $portal } does not offer sign-in codes. Sign in with your password.
code-identity-invalid = Enter your email address, or your mobile number. { $reason }
code-by-email = by email
code-by-sms = by SMS
code-by-both = by email and by SMS
code-sent = If { $identity } has an account here, we have sent a 6-digit code { $channels }. It expires in { $minutes } minutes.
code-wait-request = A code was sent a moment ago. You can ask for another in { $wait }.
code-wait-verify = Too many wrong codes from your network. Wait { $wait } and try again.
code-sms = { $code } is your code to sign in to { $portal }. It expires in { $minutes } minutes. Do not share it.

# The management sign-in page.
manage-login-title = Management sign-in
manage-login-heading = Management interface
manage-login-staff-for = Staff sign-in for
manage-login-intro-before = For administrators and agents. Customers sign in on their
manage-login-intro-link = portal
manage-login-intro-after = {"."}
manage-login-microsoft = Sign in with Microsoft
manage-login-password-instead = Sign in with a Frontdesk password instead
manage-login-or = or
manage-login-organisation = Your organisation

# "Forgot your password?"
forgot-title = Forgot your password?
forgot-heading-portal = Forgot your password for { $portal }?
forgot-intro = Enter the email address of your account and we will send you a link to choose a new password.
forgot-send = Send me a link
forgot-back = Back to sign-in
forgot-sent = If { $email } has an account here, we have sent it a link to choose a new password. The link expires in 1 hour. Nothing arrived? Check the spam folder, or ask your administrator.
forgot-wait = Too many requests from your network. Wait { $wait } and try again.
forgot-self-managed-help = Your organisation's Microsoft account is how you sign in here; its administrator manages its password.
forgot-frontdesk-password = Signing in with a Frontdesk password instead?
forgot-frontdesk-password-link = Reset that password
forgot-frontdesk-password-after = {"."}

# Pages behind one-time links.
link-lifetime = { $hours ->
    [one] { $hours } hour
   *[other] { $hours } hours
}
link-used = This link has already been used, or the password was changed after it was sent. If you still need to set your password, ask for a new link at { $url }.
link-expired = This link has expired. Ask for a new one at { $url }, or ask your administrator to send the invitation again.
link-invalid = This link is not valid. Check that you opened the whole link from the email, or ask for a new one.
set-password-invite = Set your password
set-password-reset = Choose a new password
set-password-new = New password
set-password-again = New password again
set-password-save = Save password
set-password-mismatch = The two passwords are not the same.

# The password policy: the rules beside a password field, and what a password lacks.
password-rule-length = At least { $min } characters (at most { $max })
# English lists the kinds of character one by one; Portuguese in one line (password-rule-composition).
password-rule-composition = {""}
password-rule-upper = An upper-case letter (A-Z)
password-rule-lower = A lower-case letter (a-z)
password-rule-digit = A digit (0-9)
password-rule-special = A special character, such as ! ? * @ $ % or -
password-rule-forbidden = Not the characters & or #
password-rule-common = Not one of the most common passwords
password-unmet-short = It must have at least { $min } characters (it has { $length }).
password-unmet-long = It must have at most { $max } characters.
password-unmet-upper = It needs an upper-case letter.
password-unmet-lower = It needs a lower-case letter.
password-unmet-digit = It needs a digit.
password-unmet-special = It needs a special character, such as ! ? * @ $ % or -.
password-unmet-forbidden = It must not contain & or #.
password-unmet-common = It is one of the most common passwords; choose another.

# Profiles.
profile-title = Profile
profile-heading = Your profile
profile-details = Your details
profile-name = Name
profile-name-help = Shown to your colleagues and customers in every portal you work in.
profile-mobile = Mobile number (for sign-in codes by SMS)
profile-save = Save
profile-saved = Saved.
profile-must-change = Your password was set for you. Choose your own before you continue.
profile-password = Password
profile-microsoft = You sign in with Microsoft.
profile-password-self-managed = { self-managed } You sign in with Microsoft, so there is no Frontdesk password to change.
profile-staff-details = Staff details are changed in the management interface.
profile-mobile-refused = This mobile number cannot be used for your account. Check it, or contact us if it is yours.
profile-mobile-wait = You have tried too many mobile numbers. Try again in { $wait }.
profile-current-wrong = Your current password is not correct.
profile-new-mismatch = The two new passwords are not the same.
profile-new-same = The new password must differ from the current one.
profile-language = Language
profile-language-automatic = Automatic
profile-language-help = Automatic: the portal's language, else your browser's.
profile-language-invalid = Choose a language from the list.

# The password form of both profiles.
password-form-heading = Change your password
password-form-current = Current password
password-form-new = New password
password-form-again = New password again
password-form-sign-out-others = Sign out my other sessions
password-form-submit = Change password

# "Where you are signed in".
sessions-heading = Where you are signed in
sessions-where = Where
sessions-browser = Browser
sessions-address = Address
sessions-started = Signed in
sessions-last-active = Last active
sessions-this = this session
sessions-sign-out = Sign out
sessions-end = End
sessions-manage-microsoft = Management interface, with Microsoft
sessions-manage = Management interface
sessions-portal = Portal
sessions-unknown-browser = Unknown browser
