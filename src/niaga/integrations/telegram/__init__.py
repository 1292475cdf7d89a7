"""telegram channel."""
