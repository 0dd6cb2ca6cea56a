# A portal's own pages: its home (src/portals/routes.rs).

portal-home-welcome = Welcome, { $name }
portal-home-signed-in-to = You are signed in to
portal-home-signed-in-as = as { $email }.
portal-home-your-profile = Your profile
portal-home-profile-help = change your password and see where you are signed in.
portal-home-staff = You work in this portal. Agents answer tickets in the
portal-home-management = management interface
portal-home-staff-sign-in = , which has its own sign-in.
portal-home-sign-in-prompt = Sign in to contact us and follow your requests.
