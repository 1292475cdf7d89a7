"""Plain SMTP email (a business's own mailbox) as the alternative to Resend."""
