"""Live events (F7, F89): an in-process bus, PostgreSQL LISTEN/NOTIFY across replicas, the WebSocket hub."""
