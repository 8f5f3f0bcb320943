"""Organisation and accounts: the department's identity, its units, the people who sign in and their roles, and
signing in and out."""
