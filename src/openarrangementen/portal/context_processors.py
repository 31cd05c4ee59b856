from openarrangementen.accounts.domain import MUNICIPALITY_CLIENT_ROLES, Role
from openarrangementen.accounts.selectors import roles_of
from openarrangementen.billing.reports import (
    PARTNERSHIP_MUNICIPALITY_ROLES,
    PARTNERSHIP_PROVIDER_ROLES,
    SPENDING_ROLES,
    leads_a_partnership,
)
from openarrangementen.billing.selectors import (
    MUNICIPALITY_BILLING_ROLES,
    PROVIDER_BILLING_ROLES,
)
from openarrangementen.cases.selectors import PORTAL_PROVIDER_ROLES
from openarrangementen.contributions.domain import PAGE_ROLES as CONTRIBUTION_ROLES
from openarrangementen.core.admin_site import BEHEER_ROLES
from openarrangementen.core.notifications import unread_count

from .iwmo_views import MESSAGE_ROLES


def navigation(request) -> dict[str, object]:
    """Which menu items this user gets. The pages check access themselves as well."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    return {
        "nav_clients": bool(roles & (MUNICIPALITY_CLIENT_ROLES | {Role.INWONER})),
        "nav_trajects": bool(roles & MUNICIPALITY_CLIENT_ROLES),
        "nav_provider": bool(roles & PORTAL_PROVIDER_ROLES),
        "nav_iwmo": bool(roles & MESSAGE_ROLES),
        "nav_billing_provider": bool(roles & PROVIDER_BILLING_ROLES),
        "nav_billing_municipality": bool(roles & MUNICIPALITY_BILLING_ROLES),
        "nav_contributions": bool(roles & CONTRIBUTION_ROLES),
        "nav_billing_spending": bool(roles & SPENDING_ROLES),
        "nav_billing_partnership": bool(roles & PARTNERSHIP_MUNICIPALITY_ROLES)
        or (bool(roles & PARTNERSHIP_PROVIDER_ROLES) and leads_a_partnership(user)),
        "nav_unread": unread_count(user),
        "nav_account_organisation": Role.CONTACTPERSOON in roles,
        "nav_account_requests": Role.FUNCTIONEEL_BEHEERDER in roles,
        "nav_beheer": user.is_superuser or bool(roles & BEHEER_ROLES),
    }
