"""Who may do what: editor accounts, login throttling and API tokens."""
