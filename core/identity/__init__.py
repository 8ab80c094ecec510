"""Identity: users, memberships and roles, sessions, the Actor behind each request."""
