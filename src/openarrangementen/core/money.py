"""Money: Decimal euros with cents. iWmo messages carry integer cents (LDT_Bedrag)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def euros(value: Decimal | int | str) -> Decimal:
    """Round to whole cents, half up, as invoices do."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    return int(euros(amount) * 100)


def from_cents(cents: int) -> Decimal:
    return euros(Decimal(cents) / 100)


def format_euro(amount: Decimal) -> str:
    """Dutch notation: '€ 1.234,56'; negative as '-€ 12,00'."""
    value = euros(amount)
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}€ {'.'.join(groups)},{cents}"
