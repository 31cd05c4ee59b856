"""Roles (SPEC §2) and which side of the traject each belongs to. Pure Python."""

from enum import StrEnum


class Side(StrEnum):
    MUNICIPALITY = "municipality"
    PROVIDER = "provider"
    CLIENT = "client"


class Role(StrEnum):
    WIJKWERKER = "wijkwerker"  # registers and screens meldingen, holds the keukentafelgesprek
    PROCESREGISSEUR = "procesregisseur"  # PA / Wmo-consulent: indicatiestelling, beschikking
    COLLEGA_PA = "collega_pa"  # four-eyes reviewer of beschikkingen
    CONTRACTMANAGER = "contractmanager"  # contract- en leveranciersmanager
    FUNCTIONEEL_BEHEERDER = "functioneel_beheerder"  # configures catalog, policies, users
    CONTACTPERSOON = "contactpersoon"  # gemachtigde contactpersoon: requests accounts only
    WERKVERDELER = "werkverdeler"  # assigns new trajects to professionals
    BEGELEIDER = "begeleider"  # professional: POP deel II, casusregie, evaluation
    ADMINISTRATIE = "administratie"  # provider's invoicing
    ONDERAANNEMER = "onderaannemer"  # a subcontractor's employee: reads a delegated traject
    INWONER = "inwoner"  # the client (or representative) sees their own plan


ROLE_SIDE: dict[Role, Side] = {
    Role.WIJKWERKER: Side.MUNICIPALITY,
    Role.PROCESREGISSEUR: Side.MUNICIPALITY,
    Role.COLLEGA_PA: Side.MUNICIPALITY,
    Role.CONTRACTMANAGER: Side.MUNICIPALITY,
    Role.FUNCTIONEEL_BEHEERDER: Side.MUNICIPALITY,
    Role.CONTACTPERSOON: Side.PROVIDER,
    Role.WERKVERDELER: Side.PROVIDER,
    Role.BEGELEIDER: Side.PROVIDER,
    Role.ADMINISTRATIE: Side.PROVIDER,
    Role.ONDERAANNEMER: Side.PROVIDER,
    Role.INWONER: Side.CLIENT,
}

ROLE_LABELS: dict[Role, str] = {
    Role.WIJKWERKER: "Wijkwerker",
    Role.PROCESREGISSEUR: "Procesregisseur / Wmo-consulent",
    Role.COLLEGA_PA: "Collega-procesregisseur (vierogen)",
    Role.CONTRACTMANAGER: "Contract- en leveranciersmanager",
    Role.FUNCTIONEEL_BEHEERDER: "Functioneel beheerder",
    Role.CONTACTPERSOON: "Gemachtigde contactpersoon",
    Role.WERKVERDELER: "Werkverdeler",
    Role.BEGELEIDER: "Begeleider / professional",
    Role.ADMINISTRATIE: "Administratie",
    Role.ONDERAANNEMER: "Medewerker onderaannemer (alleen inzage na delegatie)",
    Role.INWONER: "Inwoner",
}

# Roles that work with client files on the municipality side. The contract manager and the
# functioneel beheerder configure and steer; they do not need personal data.
MUNICIPALITY_CLIENT_ROLES = frozenset({Role.WIJKWERKER, Role.PROCESREGISSEUR, Role.COLLEGA_PA})

# Whether a role is held for one municipality, a whole region, or a provider.
# Municipality-side roles may be scoped to one municipality or to the whole region.


def scope_error(role: Role, *, has_region: bool, has_municipality: bool, has_provider: bool) -> str:
    """Why a role assignment's scope does not fit its role, or "" when it fits."""
    side = ROLE_SIDE[role]
    scopes = sum((has_region, has_municipality, has_provider))
    if side is Side.MUNICIPALITY:
        if has_provider or scopes != 1:
            return "Een gemeentelijke rol hoort bij precies één gemeente of één regio."
    elif side is Side.PROVIDER:
        if not has_provider or scopes != 1:
            return "Een rol van een aanbieder hoort bij precies één aanbieder."
    elif scopes != 0:
        return "De rol inwoner hoort niet bij een organisatie."
    return ""


# Account requests (issue #4): a provider's contact person asks the municipality for logins.

# The roles a contact person may request for a colleague. Contact persons themselves are
# appointed by the municipality, not requested.
REQUESTABLE_ROLES: tuple[Role, ...] = (Role.WERKVERDELER, Role.BEGELEIDER, Role.ADMINISTRATIE)


class AccountRequestKind(StrEnum):
    CREATE = "create"  # a new account for a colleague
    REVOKE = "revoke"  # take away a colleague's roles at the provider


class AccountRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


ACCOUNT_REQUEST_KIND_LABELS: dict[AccountRequestKind, str] = {
    AccountRequestKind.CREATE: "Nieuw account",
    AccountRequestKind.REVOKE: "Account intrekken",
}

ACCOUNT_REQUEST_STATUS_LABELS: dict[AccountRequestStatus, str] = {
    AccountRequestStatus.PENDING: "In behandeling",
    AccountRequestStatus.APPROVED: "Goedgekeurd",
    AccountRequestStatus.REJECTED: "Afgewezen",
}

USERNAME_MAX_LENGTH = 150  # AbstractUser.username


def username_base(email: str) -> str:
    """The part of a username taken from an e-mail address: its local part in lower case,
    with only letters, digits, dots, hyphens and underscores ("gebruiker" when none remain)."""
    local = email.split("@", 1)[0].lower()
    kept = "".join(c for c in local if c.isascii() and (c.isalnum() or c in "._-")).strip(".-_")
    return kept[: USERNAME_MAX_LENGTH - 4] or "gebruiker"


def username_candidate(base: str, attempt: int) -> str:
    """The `attempt`-th username to try for `base`: base, base2, base3, ..."""
    return base if attempt <= 1 else f"{base}{attempt}"


# Signing in (issue #21). Every sign-in, failure, lockout, second-factor change and reset is
# recorded as a SignInEvent: who, from which address, when; never a password or a code.


class SignInKind(StrEnum):
    LOGIN = "login"  # password (and, where required, second factor) accepted
    FAILED = "failed"  # wrong username or password
    LOCKED = "locked"  # refused: too many failures for the pair or the account
    LOGOUT = "logout"
    IDLE_LOGOUT = "idle_logout"  # signed out after the region's idle time
    UNLOCKED = "unlocked"  # a functioneel beheerder lifted a lockout
    PASSWORD_RESET_REQUESTED = "reset_requested"
    PASSWORD_RESET_DONE = "reset_done"
    OTP_SETUP = "otp_setup"  # an authenticator app linked
    OTP_FAILED = "otp_failed"  # a wrong code from the app or a used recovery code
    OTP_RECOVERY_USED = "otp_recovery"  # signed in with a recovery code
    OTP_RECOVERY_NEW = "otp_recovery_new"  # a new set of recovery codes made
    OTP_RESET = "otp_reset"  # a functioneel beheerder removed the second factor


SIGN_IN_LABELS: dict[SignInKind, str] = {
    SignInKind.LOGIN: "Ingelogd",
    SignInKind.FAILED: "Inloggen mislukt",
    SignInKind.LOCKED: "Geblokkeerd na te veel pogingen",
    SignInKind.LOGOUT: "Uitgelogd",
    SignInKind.IDLE_LOGOUT: "Uitgelogd na inactiviteit",
    SignInKind.UNLOCKED: "Blokkade opgeheven",
    SignInKind.PASSWORD_RESET_REQUESTED: "Nieuw wachtwoord aangevraagd",
    SignInKind.PASSWORD_RESET_DONE: "Nieuw wachtwoord ingesteld",
    SignInKind.OTP_SETUP: "Tweestapsverificatie ingesteld",
    SignInKind.OTP_FAILED: "Verkeerde verificatiecode",
    SignInKind.OTP_RECOVERY_USED: "Ingelogd met een herstelcode",
    SignInKind.OTP_RECOVERY_NEW: "Nieuwe herstelcodes gemaakt",
    SignInKind.OTP_RESET: "Tweestapsverificatie opnieuw laten instellen",
}

# Lockout (issue #21): failures are counted per account-and-address pair, so one person
# typing a wrong password cannot lock colleagues behind the same address; a slower limit per
# account, over every address, stops guessing spread over many addresses.
PAIR_FAILURE_LIMIT = 5
ACCOUNT_FAILURE_LIMIT = 20

IDLE_TIMEOUT_DEFAULT_MINUTES = 15


def needs_second_factor(roles: set[Role], *, is_superuser: bool, is_staff: bool) -> bool:
    """Every account that can see client data or manage accounts signs in with a second
    factor (NEN 7510, BIO): every staff role, technical staff and superusers. An inwoner
    signs in with DigiD, whose own levels of assurance apply."""
    return is_superuser or is_staff or bool(roles - {Role.INWONER})
