"""Self-service actions: input validation, permissions, approvals, runs and their executors (F71-F82, F155)."""
