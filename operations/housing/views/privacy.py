"""Housing views (issue 7)."""
