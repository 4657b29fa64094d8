"""Storage: SQLAlchemy Core tables, the async engine and migrations."""
