# Management: menu, notices and pages of src/admin/.

menu-home = Home
menu-agents = Agents
menu-customers = Customers
menu-departments = Departments
menu-portal-settings = Portal settings
menu-portals = Portals

notice-saved = Saved.
notice-created = Created.
notice-deleted = Deleted.
notice-disabled = The account is disabled and its sessions have ended.
notice-enabled = The account is enabled again.
notice-sessions-ended = Sessions ended.
notice-switched = You are now working in this portal.
notice-invited = An invitation to set a password has been sent.
notice-added-microsoft = Added. They sign in with Microsoft, so no invitation was sent.
notice-asked = They already have a Frontdesk account: they were asked by email, and join once they accept.
notice-removed = Removed from this portal. Their account and their other portals are unchanged.
notice-withdrawn = The invitation is withdrawn.
notice-accepted = You now work in that portal too: switch to it with the portal menu.
notice-declined = The invitation is declined.
notice-approved = The account is approved: they can sign in with Microsoft now.
notice-unlinked = The Microsoft account is unlinked. Send a set-password link, or let them sign in with Microsoft again.
