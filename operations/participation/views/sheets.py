"""Participation (issue 11): sheets. Filled by the sheets part."""
