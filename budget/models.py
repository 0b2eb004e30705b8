"""WHAT IT COSTS AND WHO PAYS: financing plans, subsidies, AP/CP (the money issue fills this app)."""
