"""Participation (issue 11)."""
