"""Scheduling: when each source is due (APScheduler triggers) and the daemon that runs them."""
