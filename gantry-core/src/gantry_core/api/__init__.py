"""HTTP API: routers, dependencies, the error shape."""
