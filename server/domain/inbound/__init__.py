"""Mail coming in: replies to notification emails."""
