"""Who may do what with an inwoner's file, beyond reading it (ADR 0011)."""

from openarrangementen.accounts.domain import MUNICIPALITY_CLIENT_ROLES
from openarrangementen.accounts.models import User
from openarrangementen.accounts.selectors import roles_of


def may_record_representatives(user: User) -> bool:
    """The municipality's staff who work on inwoners' files (wijkwerker, procesregisseur,
    collega-PA) record who represents or supports them; the inwoner, providers and beheer
    do not. The file itself must also be visible to them (`client_get_visible_to`)."""
    return bool(roles_of(user) & MUNICIPALITY_CLIENT_ROLES)
