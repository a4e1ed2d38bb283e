"""HTTP server: app factory, settings, image I/O, the bridge's own routes."""
