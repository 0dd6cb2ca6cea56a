# Signing in and out, passwords, profiles, sessions and their emails: src/auth/.

notice-session-ended = That session has ended.
notice-password-changed = Your password has been changed.
notice-must-change = Choose a new password before you continue.
