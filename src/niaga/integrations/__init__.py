"""integrations domain."""
