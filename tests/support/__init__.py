"""Real local stand-ins for tests: a Celery worker subprocess and an SMTP sink."""
