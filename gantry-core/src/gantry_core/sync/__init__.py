"""Sync jobs: the scheduler, database leases across replicas, and the idempotent upsert of what jobs yield."""
