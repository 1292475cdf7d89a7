"""Stored files: every file the server keeps for a business has a server-issued id scoped to that business.
Clients and rows refer to files by that id, never by a path (issue 11, item 1)."""
