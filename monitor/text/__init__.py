"""Text normalisation and sentence segmentation (pure functions)."""
