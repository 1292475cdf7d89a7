"""Small shared building blocks used by every domain (errors, envelope, time, money, crypto)."""
