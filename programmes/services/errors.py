"""The strategy's domain exception."""

from pvd.errors import DomainError


class StrategyError(DomainError):
    """A business rule of the strategy refused the action; str(error) is the French message shown as is."""
