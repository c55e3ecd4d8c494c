"""Users, passwords, sessions and login throttling for the HTTP API (Firestore-backed)."""
