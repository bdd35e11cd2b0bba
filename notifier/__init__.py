"""Alerts: rules that decide what each channel gets, the outbox sender, and the channels.

- ``rules``: pure: which changes of a diff a channel receives (topics, sources, series,
  minimum size; never cosmetic-only).
- ``outbox``: delivers pending alert rows with retry and backoff; a stable idempotency key
  makes the rare duplicate after a crash recognisable.
- ``base``, ``email``, ``slack``: one small class per channel kind.
"""
