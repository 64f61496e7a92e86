"""Users, roles, web sessions, API tokens and the access audit."""
