from pvd.errors import DomainError


class OperationError(DomainError):
    """A business rule refused the action; str(error) is the French message shown to the user."""
