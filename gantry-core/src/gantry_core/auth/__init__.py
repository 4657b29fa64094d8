"""Identity and access: passwords, JWT sessions, API keys, roles, groups, rate limits (SPEC §6)."""
