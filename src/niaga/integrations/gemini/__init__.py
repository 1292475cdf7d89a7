"""gemini adapter."""
