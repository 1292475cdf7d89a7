"""publishing domain: the content calendar with approval, scheduled publishing to social platforms, and
WhatsApp broadcasts to customer segments."""
