"""The dashboard: its one global configuration row (F85) and the per-kind entity counts it shows (F86)."""
