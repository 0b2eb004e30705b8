"""Writes of the programmes app, one module per subject; import from the module (services.programme…)."""
