"""Workflow graphs: node ids in one place, a builder that checks them against /object_info."""
