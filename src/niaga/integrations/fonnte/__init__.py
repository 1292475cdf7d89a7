"""fonnte channel."""
