"""Housing programmes (OPAH, OPAH-RU, PIG): convention targets and envelopes, local top-up rules, household
files and their grants (issue 7)."""
