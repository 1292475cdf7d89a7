"""openai_compat adapter."""
