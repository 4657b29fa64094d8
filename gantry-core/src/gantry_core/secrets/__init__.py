"""Admin-managed secrets, stored AES-256-GCM encrypted and never returned by any endpoint (F156)."""
