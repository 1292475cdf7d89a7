"""printshop domain."""
