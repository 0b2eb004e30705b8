"""Participation (issue 11): letters. Filled by the letters part."""
