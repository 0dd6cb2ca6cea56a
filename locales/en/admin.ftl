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

# Words shared by the management pages.
manage-name = Name
manage-email = Email
manage-role = Role
manage-status = Status
manage-save = Save
manage-add-and-invite = Add and send invitation
manage-send-invitation-again = Send the invitation again
manage-send-password-link = Send a set-password link
manage-end-all-sessions = End all sessions
manage-enable-account = Enable account
manage-disable-account = Disable account
manage-account = Account
status-disabled = disabled
status-awaiting-approval = waiting for approval
status-invited = invited
status-must-set-password = must set password
status-active = active
status-microsoft = signs in with Microsoft
status-invited-no-password = invited: password not set yet

# Roles and permissions (src/accounts/permissions.rs).
role-admin = Administrator
role-agent = Agent
role-admin-everything = Administrator (may do everything in this portal)
permission-manage-portal-settings = Manage portal settings
permission-manage-agents = Manage agents and customers
permission-manage-departments = Manage departments
permission-answer-tickets = Answer tickets
permission-see-all-departments = See the tickets of every department
permission-answer-chats = Answer chats
permission-supervise-chats = Supervise chats
permission-edit-knowledge-base = Edit the knowledge base

# The home page.
home-title = Home
home-open-portal = Open the portal
home-awaiting-approval = { $count ->
        [one] { $count } person waits
       *[other] { $count } people wait
    } for your approval after signing in with Microsoft.
home-invitations = You are invited to work in { $count } more { $count ->
        [one] portal
       *[other] portals
    }.
home-see-invitations = See invitations
home-staff = Staff
home-customers = Customers
home-departments = Departments
home-you-are = You are
home-in-this-portal = in this portal.
home-you-may = You may:
home-no-permissions = You have no permissions here yet. Ask an administrator.
home-not-your-portal = You do not work in that portal.

# Agents.
agents-title = Agents
agents-add = Add agent
agents-heading = Agents and administrators
agents-asked-heading = Asked to join
agents-withdraw = Withdraw
agents-add-heading = Add an agent or administrator
agents-invite-help = They receive an email with a link to set their password (valid { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }). Someone who already has a Frontdesk account is asked by email instead, and joins once they accept.
agents-choose-role = Choose a role: agent or administrator.
agents-already-here = { $email } already works in this portal.
agents-email-taken = { $email } already has a staff account.
agents-has-no-password = { $name } signs in with Microsoft and has no Frontdesk password. Unlink the Microsoft account first if they should have one.
agents-keep-own-admin-role = You cannot take away your own administrator role; ask another administrator.
agents-unknown-permission = Unknown permission { $key }.
agents-unknown-department = A department was not recognised.
agents-cannot-remove-self = You cannot remove yourself; ask another administrator.
agents-holds-more = { $name } holds "{ $permission }", which you do not hold yourself. Ask an administrator.
agents-last-administrator = { $name } is the last administrator of { $portal }; make someone else administrator first.

# One agent.
agent-approval = { $name } signed in with Microsoft for the first time and has no permissions yet. Approve the account to let them sign in; give them permissions and departments below.
agent-approve = Approve
agent-role-in = Role in { $portal }
agent-permissions = Permissions
agent-departments = Departments
agent-no-departments = This portal has no departments yet.
agent-remove-from = Remove from { $portal }
agent-microsoft-account = Microsoft account:
agent-unlink-microsoft = Unlink the Microsoft account

# Who may do what to whom (src/admin/authority.rs).
authority-also-works-elsewhere = { $name } also works in { $portal }, where you are not an administrator; ask a system administrator.
authority-system-administrator = { $name } is a system administrator. Only a system administrator can change their account.
authority-permission-not-held = You cannot give or take away "{ $permission }": you do not hold it yourself. Ask an administrator.
authority-only-administrators = Only administrators of this portal can make or change administrators.
authority-cannot-disable-self = You cannot disable your own account.
authority-last-system-administrator = { $name } is the last active system administrator and cannot be disabled.

# Invitations to other portals.
invitations-title = Invitations
invitations-heading = Invitations to other portals
invitations-none = Nobody has invited you to another portal.
invitations-invited-to = You are invited to work in
invitations-as-admin = as an administrator. Its administrators will then see your name and email address, and can end your sessions there.
invitations-as-agent = as an agent. Its administrators will then see your name and email address, and can end your sessions there.
invitations-accept = Accept
invitations-decline = Decline
invitations-outside-directory = { $portal } does not sign its staff in with the Microsoft directory you signed in with, so this session cannot accept for you. Ask a system administrator to add your account there.
# The role in the invitation email: "… invites you to work in … as { $role }".
invitation-email-role-admin = an administrator
invitation-email-role-agent = an agent

# Customers.
customers-title = Customers
customers-add = Add customer
customers-heading = Customers
customers-search-placeholder = Search by email or name
customers-search-label = Search customers
customers-search = Search
customers-search-too-long = Search for at most { $max } characters.
customers-none = No customers.
customers-none-match = No customers match “{ $search }”.
customers-add-heading = Add a customer
customers-mobile-optional = Mobile number (optional, with country code)
customers-invite-help = They receive an email with a link to set their password (valid { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }).
customers-email-taken = This portal already has a customer with the email { $email }.
customers-mobile-taken = Another customer of this portal already uses the mobile number { $mobile }.
customer-details = Details
customer-mobile = Mobile number (for sign-in codes by SMS)
customer-all = All customers

# Departments.
departments-title = Departments
departments-none = No departments yet.
departments-members = Members
departments-delete = Delete
departments-add-heading = Add a department
departments-add = Add department
departments-exists = There is already a department called { $name }.

# All portals (system administrators).
portals-title = Portals
portals-slug = Slug
portals-own-host = Own host
portals-sign-in-page = Sign-in page
portals-add-heading = Add a portal
portals-slug-label = Slug (in its address)
portals-add = Add portal
portals-only-system-administrators = Only system administrators manage the list of portals.
portals-slug-taken = a portal with the slug { $slug } already exists
departments-delete-has-tickets = Tickets still belong to this department. Move them to another department first, then delete it.
