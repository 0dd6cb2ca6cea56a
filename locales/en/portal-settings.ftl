# Portal settings: the page (src/admin/portal_settings.rs), what every feature's settings share
# (src/web/settings.rs), and the portal's own settings (src/portals/settings.rs). Help texts
# describe a setting for `frontdesk portal set`; validation messages name the key, as the
# command line prints them too.

portal-settings-title = Portal settings
portal-settings-save = Save

settings-unknown-key = unknown setting { $key }; the settings are: { $keys }
settings-takes-true-or-false = { $key } takes true or false, not { $value }
settings-secret-stored = stored; leave empty to keep it
settings-secret-not-set = not set
settings-language-auto = Automatic (browser)

portal-settings-name-label = Name
portal-settings-name-help = the portal's display name (1-100 characters)
portal-settings-host-label = Own host name (optional)
portal-settings-host-help = a host name that serves this portal at its /, e.g. support.example.com (empty: none)
portal-settings-host-note-start = Point this host at Frontdesk and the portal is served at its{" "}
portal-settings-host-note-middle = {"."} Otherwise it is at{" "}
portal-settings-host-note-end = {"."}
portal-settings-host-taken = another portal already uses the host { $host }
portal-settings-sender-name-label = Sender name of its emails (optional)
portal-settings-sender-name-help = the name the portal's emails come from, up to 100 characters (empty: none)
portal-settings-sender-name-invalid = sender_name takes up to 100 characters, without < > " or line breaks
portal-settings-default-language-label = Language for people who have not chosen one
portal-settings-default-language-note = Pages and emails are in this language for visitors and accounts without a language of their own. Automatic follows each browser.
portal-settings-default-language-help = en or pt-BR: the language of pages and emails for people who chose none (empty: the browser's)
portal-settings-default-language-invalid = default_language takes en or pt-BR (or nothing for the browser's), not { $value }
portal-settings-listed-label = Offer this portal on the common sign-in page
portal-settings-listed-help = true/false: offer this portal on the common sign-in page /login
