"""Gantry plugin `kubernetes`: clusters in the catalog, workloads, logs, events, restart and scale (SPEC §10)."""

__version__ = "0.1.0"
