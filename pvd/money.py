"""Money helpers: one rounding rule (half up to the cent) and French formatting.

Amounts are Decimal from the database to the page; a float here is a bug, so it is refused.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
NBSP = "\xa0"


def round_cents(amount: Decimal) -> Decimal:
    """Round half up to the cent, the rule of French public accounting."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"round_cents attend un Decimal, pas {type(amount).__name__}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _group(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NBSP.join(groups)


def format_decimal(value: Decimal, places: int = 2) -> str:
    """1234567.891 -> '1 234 567,89' (non-breaking spaces), rounded half up."""
    if not isinstance(value, Decimal):
        raise TypeError(f"format_decimal attend un Decimal, pas {type(value).__name__}")
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    text = _group(integer)
    if places:
        text += "," + fraction
    return sign + text


def format_euros(value: Decimal) -> str:
    """Decimal('1234567.89') -> '1 234 567,89 €'."""
    return f"{format_decimal(value)}{NBSP}€"


def format_percent(value: Decimal, places: int = 2) -> str:
    """A rate stored as a fraction: Decimal('0.16404') -> '16,40 %' (places=2)."""
    if not isinstance(value, Decimal):
        raise TypeError(f"format_percent attend un Decimal, pas {type(value).__name__}")
    return f"{format_decimal(value * 100, places)}{NBSP}%"
