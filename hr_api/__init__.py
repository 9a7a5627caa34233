"""The HR-facing REST API."""
