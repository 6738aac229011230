"""Who is calling: residents across channels, their sign-in and sessions, staff sign-in,
passwords and the township/village scope every staff query is filtered by."""
