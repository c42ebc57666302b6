"""Auth: accounts, password and social sign-in, tokens, sessions and roles."""
