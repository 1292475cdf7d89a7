"""waha channel."""
