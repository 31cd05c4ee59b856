"""The safety of a link to a provider (ADR 0009): which link applies, its tokens, and where a
link may write to or call.

- One link per provider and region: the municipality's region picks it.
- The provider's token (for `/api/iwmo/berichten/`) is stored as its SHA-256 only.
- Our token to the provider is derived from a random salt in the database and the key
  `IWMO_TOKEN_KEY` outside it (HMAC-SHA256): a copy of the database holds no usable token.
  Both are shown once, when issued.
- A folder link writes only inside `IWMO_FOLDER_ROOT`.
- An HTTP link calls only public addresses over https, unless
  `IWMO_ALLOW_INTERNAL_ADDRESSES` is set (tests and closed networks); the address is
  checked when the link is saved and again, after resolving, at every delivery.
"""

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from openarrangementen.core.memo import once

from .models import Endpoint


class LinkError(Exception):
    """A link that may not be used as configured; the text is Dutch, for the beheerder."""


def endpoint_for(*, provider_id: int | None, region_id: int | None) -> Endpoint | None:
    if provider_id is None or region_id is None:
        return None
    return once(
        ("endpoint", provider_id, region_id),
        lambda: (
            Endpoint.objects.select_related("service_user")
            .filter(provider_id=provider_id, region_id=region_id)
            .first()
        ),
    )


# --- tokens -------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_incoming_token(endpoint: Endpoint) -> str:
    """A new token for the provider's software; only its digest is kept."""
    token = secrets.token_urlsafe(32)
    endpoint.token_digest = token_digest(token)
    endpoint.token_issued_at = timezone.now()
    endpoint.save(update_fields=["token_digest", "token_issued_at", "updated_at"])
    return token


def _token_key() -> bytes:
    key = getattr(settings, "IWMO_TOKEN_KEY", "") or ""
    if not key:
        # Derived from the secret key when no own key is set; a separate key lets the
        # secret key rotate without invalidating the providers' tokens.
        key = hashlib.sha256(f"iwmo-token-key:{settings.SECRET_KEY}".encode()).hexdigest()
    return key.encode("utf-8")


def outgoing_token(endpoint: Endpoint) -> str:
    """Our token to the provider's software, derived again at each delivery."""
    if not endpoint.outgoing_token_salt:
        raise LinkError("Er is nog geen token naar de aanbieder uitgegeven.")
    mac = hmac.new(
        _token_key(),
        f"iwmo-outgoing:{endpoint.pk}:{endpoint.outgoing_token_salt}".encode(),
        hashlib.sha256,
    )
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")


def issue_outgoing_token(endpoint: Endpoint) -> str:
    """A new token to send to the provider; the previous one stops working."""
    endpoint.outgoing_token_salt = secrets.token_hex(32)
    endpoint.outgoing_token_issued_at = timezone.now()
    endpoint.save(update_fields=["outgoing_token_salt", "outgoing_token_issued_at", "updated_at"])
    return outgoing_token(endpoint)


# --- folder -------------------------------------------------------------------------------


def folder_root() -> Path | None:
    root = getattr(settings, "IWMO_FOLDER_ROOT", None)
    return Path(root).resolve() if root else None


def folder_path(name: str) -> Path:
    """The link's folder inside `IWMO_FOLDER_ROOT`; anything that leads outside is refused."""
    root = folder_root()
    if root is None:
        raise LinkError(
            "Er is geen basismap voor mapkoppelingen ingesteld (IWMO_FOLDER_ROOT); "
            "vraag de technisch beheerder."
        )
    name = (name or "").strip()
    relative = Path(name)
    if not name or relative.is_absolute() or ".." in relative.parts or "\\" in name:
        raise LinkError(
            "Geef de naam van een map binnen de basismap, zoals 'almere/de-kade' "
            "(geen volledig pad en geen '..')."
        )
    path = (root / relative).resolve()
    if path != root and root not in path.parents:
        raise LinkError("Deze map ligt buiten de basismap voor mapkoppelingen.")
    return path


def _folder_claim_error(endpoint: Endpoint) -> str:
    """A link's folder lies under its region's short name and overlaps no other link's
    folder: one region can never read or fill another region's folder."""
    parts = Path(endpoint.folder.strip()).parts
    region_slug = endpoint.region.slug if endpoint.region_id else ""
    if not parts or parts[0] != region_slug:
        return f"De map begint met de korte naam van de regio, zoals '{region_slug}/aanbieder'."
    mine = Path(*parts)
    for other in Endpoint.objects.exclude(pk=endpoint.pk).exclude(folder=""):
        theirs = Path(*Path(other.folder.strip()).parts)
        if mine == theirs or theirs in mine.parents or mine in theirs.parents:
            return "Deze map is (deels) al van een andere koppeling; kies een eigen map."
    return ""


def inside(path: Path, folder: Path) -> bool:
    """`path`, with every link followed, lies inside `folder` (no symlink out of it)."""
    resolved = path.resolve()
    return resolved == folder or folder in resolved.parents


# --- HTTP ---------------------------------------------------------------------------------


def _internal_allowed() -> bool:
    return bool(getattr(settings, "IWMO_ALLOW_INTERNAL_ADDRESSES", False))


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def resolve_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) for a provider's URL, or LinkError.

    Every address the name resolves to must be public; the connection is then made to the
    address checked here, so a name that resolves differently a moment later (DNS
    rebinding) cannot lead the server to an internal address."""
    parts = urlsplit(url or "")
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise LinkError("Geef een volledig adres, zoals https://aanbieder.example/iwmo.")
    if parts.scheme != "https" and not _internal_allowed():
        raise LinkError("Het adres van de aanbieder moet met https:// beginnen.")
    if parts.username or parts.password:
        raise LinkError("Zet geen gebruikersnaam of wachtwoord in het adres.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise LinkError("Het poortnummer in het adres is ongeldig.") from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise LinkError(f"Het adres {parts.hostname} is niet te vinden.") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise LinkError(f"Het adres {parts.hostname} is niet te vinden.")
    if not _internal_allowed():
        internal = [a for a in addresses if not _is_public(a)]
        if internal:
            raise LinkError(
                f"Het adres {parts.hostname} wijst naar een intern of gereserveerd netwerkadres "
                f"({internal[0]}); berichten gaan alleen naar openbare adressen."
            )
    return parts.scheme, parts.hostname, port, str(addresses[0])


# --- the whole link -----------------------------------------------------------------------


def link_errors(endpoint: Endpoint) -> dict[str, str]:
    """What is wrong with a link's settings, per field (Dutch)."""
    errors: dict[str, str] = {}
    if endpoint.transport == Endpoint.Transport.FOLDER:
        try:
            folder_path(endpoint.folder)
        except LinkError as exc:
            errors["folder"] = str(exc)
        else:
            if message := _folder_claim_error(endpoint):
                errors["folder"] = message
    if endpoint.transport == Endpoint.Transport.HTTP and endpoint.url:
        try:
            resolve_url(endpoint.url)
        except LinkError as exc:
            errors["url"] = str(exc)
    return errors
