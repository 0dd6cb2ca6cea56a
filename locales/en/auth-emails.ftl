# The emails of signing in (src/auth/emails.rs): invitations, resets, notices. Each is written
# in its recipient's language.

email-greeting = Hello { $name },
email-button-fallback = If the button does not work, copy this address into your browser:
email-link-once-unexpected = The link works once and expires in { $lifetime }. If you did not expect this email, you can ignore it.
email-set-password = Set your password

email-invite-staff-subject = Set your password for { $place }
email-invite-staff-role = You have been made { $role } in { $place }.
email-invite-role-admin = an administrator
email-invite-role-agent = an agent
email-invite-staff-existing = Set your password with the link below. The password you set is the one you use everywhere you work in Frontdesk; until you set it, your current password keeps working.
email-invite-staff-new = Choose your password with the link below; then sign in to the management interface with your email address and that password.

email-invite-customer-subject = Your account at { $place }
email-invite-customer-body = An account has been created for you at { $place }. Choose your password with the link below to sign in and follow your requests.

email-reset-subject = Reset your password for { $place }
email-reset-body = Someone, hopefully you, asked to reset the password of your account at { $place }. Choose a new password with the link below.
email-reset-action = Choose a new password
email-reset-after = The link works once and expires in { $lifetime }. If you did not ask for it, ignore this email: your password stays as it is.

email-changed-subject = Your password for { $place } was changed
email-changed-body = The password of your account { $email } at { $place } has just been changed.
email-changed-others = Every other session of your account has been signed out.
email-changed-links = Links sent to you earlier to set or reset your password no longer work.
email-changed-action = Sign in
email-changed-after = If you did not change it, contact your administrator at once.

email-self-managed-subject = About your password for { $place }
email-self-managed-asked = Someone, hopefully you, asked to reset the password of your account at { $place }.
email-self-managed-body = { self-managed } You sign in with your Microsoft account, so there is no Frontdesk password to reset.
email-self-managed-action = Sign in with Microsoft
email-self-managed-after = If you did not ask for this, you can ignore this email.

email-approval-subject = { $who } is waiting for approval in { $place }
email-approval-body = { $who } ({ $email }) signed in to { $place } with Microsoft for the first time. An agent account with no permissions was created for them; they cannot sign in until an administrator approves it.
email-approval-open = Open the account to approve it, give it permissions and departments, or disable it.
email-approval-action = Review the account

email-portal-invite-subject = { $inviter } invites you to work in { $place }
email-portal-invite-body = { $inviter } invites you to work in { $place } as { $role }, with the Frontdesk account you already have.
email-portal-invite-how = Sign in as usual and accept or decline the invitation. Nothing changes until you accept.
email-portal-invite-action = See the invitation
email-portal-invite-after = If you do not know why you got this, decline it or ignore this email.

email-code-subject = Your sign-in code for { $portal }
email-code-intro = Your code to sign in to { $portal } is:
email-code-after = It expires in { $minutes } minutes and works once, in the browser where you asked for it. If you did not ask for it, ignore this email; nobody can sign in without it.
