"""The FastAPI app: app factory, the bridge's own routes, outputs, health and metrics."""
