"""Recently browsed entities, per user (F54): at most 20 kept, newest first."""
