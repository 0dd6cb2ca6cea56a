# Sign-in with a portal's Microsoft Entra ID: the pages that end a sign-in (src/sso/).

sso-try-again = Try again with Microsoft
sso-back-to-sign-in = Back to sign-in
sso-too-many = Too many sign-ins were started from your network. Wait a few minutes and try again.

sso-unreachable-title = Microsoft sign-in is unreachable
sso-unreachable = We could not reach { $portal }'s Microsoft sign-in just now. Try again in a few minutes; if it keeps failing, tell your administrator.
sso-refused-title = Microsoft refused the sign-in
sso-refused = Microsoft did not accept this sign-in (it may have expired or been used already). Try again; if it keeps happening, tell your administrator: the portal's Entra ID settings may need attention.
sso-not-verified-title = Sign-in could not be verified
sso-not-verified = The answer from Microsoft did not pass our checks, so you are not signed in. Try again; if it keeps happening, tell your administrator.
sso-off-title = Microsoft sign-in is off
sso-off = { $portal } does not use Microsoft sign-in. Sign in with your email address and password.
sso-misconfigured-title = Microsoft sign-in is misconfigured
sso-host-not-allowed = This portal's Microsoft sign-in host is not one this server allows. Tell your administrator: they need to choose an allowed host in the portal settings.
sso-secret-unreadable = This server cannot read the portal's client secret. Tell your administrator: they need to enter it again in the portal settings (and check FRONTDESK_SECRET_KEY).
sso-incomplete-title = Incomplete sign-in
sso-no-state = This answer from Microsoft does not say which sign-in it belongs to. Start again from the sign-in page.
sso-no-code = The answer from Microsoft has no authorization code. Start again.
sso-other-browser-title = Sign-in started elsewhere
sso-other-browser = This sign-in was started in another browser (or this browser's cookies were cleared). Start again here.
sso-awaiting-approval-title = Waiting for approval
sso-awaiting-approval = Your account in { $portal } is waiting for an administrator's approval; they have been told. Sign in with Microsoft again once it is approved.
sso-used-title = Sign-in already used
sso-used = This sign-in was already completed once and cannot be used again. If you are not signed in, start again.
sso-expired-title = Sign-in expired
sso-expired = This sign-in took longer than { $minutes } minutes and has expired. Start again.
sso-unknown-title = Unknown sign-in
sso-unknown = This answer does not belong to any sign-in we started. Start again.
sso-cancelled-title = Sign-in cancelled
sso-cancelled = The sign-in was cancelled at Microsoft, so you are not signed in. Nothing was changed.
sso-provider-error-title = Microsoft did not sign you in
sso-provider-error = Microsoft ended the sign-in with the error "{ $error }". Try again; if it keeps happening, tell your administrator.

# Why a directory user is not signed in (src/sso/accounts.rs).
sso-use-password-title = Sign in with your password
sso-use-password = Your account also works in { $portal }, which does not sign its staff in with this Microsoft directory. Sign in with your email address and password instead.
sso-system-administrator-title = System administrator
sso-system-administrator = Frontdesk system administrators sign in with their email address and password, not with a portal's Microsoft directory.
sso-no-account-title = No account
sso-no-account = Your Frontdesk account no longer exists.
sso-disabled-title = Account disabled
sso-disabled = This account is disabled. Contact your administrator.
sso-not-staff-title = Not staff of this portal
sso-not-staff = Your account does not work in { $portal } (any more). Ask one of its administrators to add you.
sso-no-match-title = No matching account
sso-no-match = There is no staff account for { $name } in { $portal }. Ask one of its administrators to add you with this address, then sign in with Microsoft again.
sso-no-username-title = No user name
sso-no-username = Microsoft did not give your user name, so your account cannot be matched. Ask your administrator.
sso-already-linked-title = Already linked
sso-already-linked = The staff account { $email } is already linked to another Microsoft account. Ask an administrator of { $portal }.
sso-busy-title = Try again
sso-busy = Your account was being set up at the same moment. Sign in again.
sso-no-email-title = No email address
sso-no-email = Microsoft gave neither an email address nor a user name that is one, so no account can be created. Ask your administrator.
sso-not-linked-title = Account not linked
sso-not-linked = A staff account with the address { $email } already exists, but it is not linked to your Microsoft account. Ask an administrator of { $portal } to link it.
