"""The strategy's domain exception."""


class StrategyError(Exception):
    """A business rule of the strategy refused the action; str(error) is the French message shown as is."""
