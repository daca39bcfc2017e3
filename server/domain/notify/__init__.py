"""Notifications beyond the application: their kinds, preferences, emails and mentions."""
