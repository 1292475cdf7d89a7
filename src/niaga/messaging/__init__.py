"""conversations domain."""
