"""Dutch identifiers: BSN, AGB code, CBS gemeentecode. Pure functions, no Django.

Each `clean_*` function returns the normalised value or raises `IdentifierError` with a
Dutch message a user understands.
"""

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn


class IdentifierError(ValueError):
    """An identifier is malformed; the message is Dutch and meant for the user."""


def _digits(value: str) -> str:
    return "".join(value.split()).replace(".", "").replace("-", "")


def clean_bsn(value: str) -> str:
    """A burgerservicenummer: 9 digits (8 are padded with a leading zero) passing the 11-proef."""
    compact = _digits(value)
    if not compact.isdigit():
        raise IdentifierError("Een BSN bestaat alleen uit cijfers.")
    if len(compact) == 8:
        compact = "0" + compact
    if len(compact) != 9:
        raise IdentifierError("Een BSN heeft 9 cijfers.")
    try:
        return str(stdnum_bsn.validate(compact))
    except StdnumError as exc:
        raise IdentifierError(
            "Dit BSN klopt niet: het voldoet niet aan de 11-proef. Controleer de cijfers."
        ) from exc


def complete_bsn(first_eight: str) -> str | None:
    """The BSN that starts with these 8 digits and passes the 11-proef, or None when no
    check digit fits (for fictitious numbers: demo and practice clients)."""
    check = sum(int(d) * (9 - i) for i, d in enumerate(first_eight)) % 11
    return first_eight + str(check) if check < 10 else None


def mask_bsn(value: str) -> str:
    """Show only the last three digits, as letters and screens that need no full BSN do."""
    if len(value) < 3:
        return "•" * len(value)
    return "•" * (len(value) - 3) + value[-3:]


def clean_agb_code(value: str) -> str:
    """A Vektis AGB code of an organisation: exactly 8 digits (iWmo LDT_AgbCode)."""
    compact = _digits(value)
    if not (compact.isdigit() and len(compact) == 8):
        raise IdentifierError("Een AGB-code bestaat uit precies 8 cijfers.")
    if compact == "00000000":
        raise IdentifierError("De AGB-code 00000000 is geen geldige code.")
    return compact


def clean_gemeentecode(value: str) -> str:
    """A CBS gemeentecode: exactly 4 digits, e.g. 0034 for Almere (iWmo LDT_GemeenteCode)."""
    compact = _digits(value)
    if not (compact.isdigit() and len(compact) == 4):
        raise IdentifierError("Een gemeentecode bestaat uit precies 4 cijfers, bijvoorbeeld 0034.")
    if compact == "0000":
        raise IdentifierError("De gemeentecode 0000 bestaat niet.")
    return compact
