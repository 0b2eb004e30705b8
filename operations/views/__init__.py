"""Views of the operations app, one module per subject."""
