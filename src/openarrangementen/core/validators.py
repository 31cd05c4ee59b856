"""Django validators around core.identifiers, raising ValidationError with the Dutch message.

Plain module-level functions, so migrations can refer to them.
"""

from django.core.exceptions import ValidationError

from .identifiers import IdentifierError, clean_agb_code, clean_bsn, clean_gemeentecode


def validate_bsn(value: str) -> None:
    try:
        clean_bsn(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code="bsn") from exc


def validate_agb_code(value: str) -> None:
    try:
        clean_agb_code(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code="agb_code") from exc


def validate_gemeentecode(value: str) -> None:
    try:
        clean_gemeentecode(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code="gemeentecode") from exc
