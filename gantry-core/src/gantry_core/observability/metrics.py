"""Prometheus metrics on a registry of the app's own (no global state): F88."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "gantry_http_requests", "HTTP requests served", ["method", "status"], registry=self.registry
        )
        self.duration = Histogram(
            "gantry_request_duration_seconds",
            "Time to serve an HTTP request",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self.entities = Gauge("gantry_entities_total", "Entities in the catalog", registry=self.registry)
