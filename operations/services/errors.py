class OperationError(Exception):
    """A business rule refused the action; str(error) is the French message shown to the user."""
