"""Durable state: the task store (SQLite) and the output store (files served at stable URLs)."""
