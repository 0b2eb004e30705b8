"""The base of every app's domain exception: a business rule refused the action.

str(error) is a French message shown to the user as is (STYLE.md §9). Each app subclasses it
(StrategyError, OperationError…) so views can turn any of them into a message the same way.
"""


class DomainError(Exception):
    """A business rule refused the action; str(error) is the French message for the user."""


class MissingReferenceData(LookupError):
    """No reference value (a rate, a threshold, a parameter) is in force on the day asked for: the
    administrator must enter one. Shown to the user, never guessed."""
