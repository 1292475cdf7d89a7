"""Resend transactional email."""
