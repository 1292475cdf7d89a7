"""starsender channel."""
