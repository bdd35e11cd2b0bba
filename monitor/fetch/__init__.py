"""Fetching: a polite, conditional, bounded async HTTP client (httpx)."""
