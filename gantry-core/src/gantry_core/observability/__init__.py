"""Request ids, JSON logs and Prometheus metrics."""
