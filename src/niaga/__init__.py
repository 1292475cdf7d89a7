"""niaga: self-hosted AI staff for Indonesian small businesses."""

__version__ = "0.1.0"
