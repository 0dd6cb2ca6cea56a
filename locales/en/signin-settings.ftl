# Sign-in's portal settings (src/auth/settings.rs): how customers sign in, and the password policy.

signin-settings-customer-title = Customer sign-in
signin-settings-customer-label = How customers sign in
signin-settings-customer-help = password, email_code and/or sms_code, separated by commas: how the portal's customers sign in (at least one)
signin-settings-customer-note = With both codes on, the code goes to both and either copy works.
signin-settings-method-password = Password
signin-settings-method-email-code = One-time code by email
signin-settings-method-sms-code = One-time code by SMS
signin-settings-method-unknown = customer_signin: { $value } is not a sign-in method; use password, email_code and/or sms_code
signin-settings-method-none = customer_signin needs at least one of password, email_code, sms_code

signin-settings-passwords-title = Passwords
signin-settings-policy-label = Password policy
signin-settings-policy-help = composition (upper, lower, digit, special; no & or #) or length_only (15+ characters)
signin-settings-policy-composition = Upper- and lower-case letter, digit, special character; no & or # (8+ characters)
signin-settings-policy-length-only = Length only, 15+ characters (NIST SP 800-63B)
signin-settings-policy-invalid = password_policy takes composition or length_only, not { $value }
signin-settings-min-length-label = Minimum length
signin-settings-min-length-help = minimum password length: 8-128 (composition) or 15-128 (length_only)
signin-settings-min-length-not-a-number = password_min_length takes a number, not { $value }
signin-settings-min-length-out-of-range = password_min_length must be between { $min } and 128 for the { $policy } policy
