"""Series membership and predecessor choice (pure functions)."""
