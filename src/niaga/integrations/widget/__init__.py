"""widget channel."""
