"""Customer intelligence: RFM scores and segments, weekly snapshots, movements and owner reports."""
