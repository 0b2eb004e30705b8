"""Forms of the operations app, one module per subject."""
