# People, portals and departments: what their names and addresses must look like
# (src/accounts/, src/portals/mod.rs).

email-invalid = { $value } is not an email address such as name@example.com (one address, without quotes or <>)
person-name-too-long = A name may have at most 100 characters.
person-name-forbidden-characters = A name may not contain line breaks, tabs, control characters or text-direction overrides.
mobile-needs-plus = Enter the mobile number with its country code, starting with + (such as +1 555 123 0001 or +44 7700 900123).
mobile-not-a-number = { $value } is not a phone number; use digits with the country code (such as +1 555 123 0001 or +44 7700 900123).
mobile-incomplete = { $value } is not a complete international number: it needs a country code and 8 to 15 digits (such as +1 555 123 0001 or +44 7700 900123).
department-name-length = A department name needs 1 to 80 characters.
department-name-forbidden-characters = A department name may not contain line breaks, tabs, control characters or text-direction overrides.
portal-slug-invalid = { $value } is not a valid portal slug: use 2 to 40 lower-case letters, digits and dashes, not starting or ending with a dash
portal-host-invalid = { $value } is not a host name such as support.example.com
portal-name-length = A portal name needs 1 to 100 characters.
portal-name-forbidden-characters = A portal name may not contain line breaks, tabs, control characters or text-direction overrides.
staff-account-disabled = This account is disabled. Contact your administrator.
staff-awaiting-approval = Your account is waiting for an administrator's approval. You can sign in once it is approved.
