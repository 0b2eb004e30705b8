"""Participation (issue 11): concertation. Filled by the concertation part."""
