# Staff sign-in with Microsoft Entra ID: the entra_* portal settings (src/sso/settings.rs).

sso-settings-title = Staff sign-in with Microsoft Entra ID
sso-settings-intro = Let this portal's staff sign in with their organisation's Microsoft account. Register an app in the Entra admin center (App registrations → New registration, type Web) with the redirect URI below, create a client secret for it, and enter its IDs here.
sso-settings-redirect-uri = Redirect URI (register it in the app)
sso-settings-signed-out-uri = Sign-out redirect URI (add it to the app's redirect URIs too)
sso-settings-staff-link = Sign-in link for your staff
sso-settings-tenant-label = Directory (tenant) ID
sso-settings-tenant-help = the directory (tenant) ID, a GUID from the Entra admin center
sso-settings-client-label = Application (client) ID
sso-settings-client-help = the application (client) ID of the app registration, a GUID
sso-settings-secret-label = Client secret
sso-settings-secret-help = the app's client secret (give - to read it from standard input); needs FRONTDESK_SECRET_KEY
sso-settings-authority-label = Authority host
sso-settings-authority-help = https://login.microsoftonline.com, or a national cloud's sign-in host
sso-settings-authority-note = Change it only for a national cloud, such as https://login.microsoftonline.us.
sso-settings-link-rule-label = At a person's first Microsoft sign-in
sso-settings-link-rule-help = match_username (link to the staff account whose email is the user's username) or create_pending (create an agent awaiting approval)
sso-settings-link-rule-match-username = Use the staff account whose email is their Microsoft user name; refuse others
sso-settings-link-rule-create-pending = Create a new agent with no permissions, waiting for approval
sso-settings-enabled-label = Staff sign in with Microsoft
sso-settings-enabled-help = true/false: staff of this portal sign in with Microsoft Entra ID
sso-settings-enabled-note = While this is on, accounts linked to Microsoft have no Frontdesk password: their sign-in, password and removal are managed in your directory.

sso-settings-tenant-not-guid = entra_tenant_id: the directory (tenant) ID is a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 (find it on the app's Overview page in the Entra admin center), not { $value }
sso-settings-client-not-guid = entra_client_id: the application (client) ID is a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 (find it on the app's Overview page in the Entra admin center), not { $value }
sso-settings-no-secret-key = Frontdesk cannot store secrets because FRONTDESK_SECRET_KEY is not set. Set it to a random string of 32 or more characters (for example the output of `openssl rand -base64 48`), the same on every node, and restart the server.
sso-settings-secret-undecryptable = the stored secret cannot be decrypted with this server's FRONTDESK_SECRET_KEY (was the key changed?); enter the secret again
sso-settings-secret-invalid = entra_client_secret: that does not look like a client secret (up to 1024 characters on one line)
sso-settings-authority-not-allowed = entra_authority_host must be one of the sign-in hosts this server allows: { $hosts } (its operator sets them with FRONTDESK_ENTRA_AUTHORITY_HOSTS), not { $value }
sso-settings-link-rule-invalid = entra_link_rule takes match_username or create_pending, not { $value }
sso-settings-not-ready = Microsoft sign-in cannot be turned on yet: enter { $missing } first.
sso-settings-missing-tenant = the directory (tenant) ID
sso-settings-missing-client = the application (client) ID
sso-settings-missing-secret = the client secret
