"""Midtrans Snap payment links, HTTP notifications and the status API."""
