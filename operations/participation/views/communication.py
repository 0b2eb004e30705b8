"""Participation (issue 11): communication. Filled by the communication part."""
