from openarrangementen.accounts.domain import MUNICIPALITY_CLIENT_ROLES, Role
from openarrangementen.accounts.selectors import roles_of
from openarrangementen.core.admin_site import BEHEER_ROLES


def navigation(request) -> dict[str, object]:
    """Which menu items this user gets. The pages check access themselves as well."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    return {
        "nav_clients": bool(roles & (MUNICIPALITY_CLIENT_ROLES | {Role.INWONER})),
        "nav_trajects": bool(
            roles
            & (MUNICIPALITY_CLIENT_ROLES | {Role.WERKVERDELER, Role.BEGELEIDER, Role.ADMINISTRATIE})
        ),
        "nav_beheer": user.is_superuser or bool(roles & BEHEER_ROLES),
    }
