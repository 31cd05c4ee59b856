"""Transports behind one interface: `deliver(message)` hands an outgoing message to the
other party and raises `TransportError` when it could not.

- In-process (`portaal`): the provider works in this portal; the message is received by
  the other side of this product at once (its retour comes back the same way).
- Folder (`map`): the message is written to `<folder>/naar-aanbieder/` (or
  `naar-gemeente/`); `iwmo_folder_pickup` reads what the other party put in `van-aanbieder/`.
  For integration tests and simple batch links.
- HTTP (`http`): the message is POSTed to the provider's address with its bearer token;
  the provider's software POSTs its messages to `/api/iwmo/berichten/` with ours.

A GGK or VECOZO adapter would implement the same `deliver` (sign, address by AGB and
gemeentecode, send) and feed what it receives to `exchange.receive`; not part of this
product yet.
"""

import http.client
import os
import socket
import ssl
import tempfile
from urllib.parse import urlsplit

from .links import LinkError, endpoint_for, folder_path, inside, outgoing_token, resolve_url
from .models import Endpoint, Message, Side


class TransportError(Exception):
    pass


class InProcess:
    name = Endpoint.Transport.IN_PROCESS

    def deliver(self, message: Message) -> None:
        from .exchange import receive

        result = receive(message.xml.encode("utf-8"), transport=self.name)
        if result.refused:
            # Only an XSD-level refusal comes back here; our own XSD check should prevent it.
            raise TransportError("; ".join(result.errors))


class Folder:
    """Writes inside the link's folder under IWMO_FOLDER_ROOT, checked again at delivery."""

    name = Endpoint.Transport.FOLDER

    def __init__(self, folder: str):
        self.folder_name = folder

    def deliver(self, message: Message) -> None:
        try:
            folder = folder_path(self.folder_name)
        except LinkError as exc:
            raise TransportError(str(exc)) from exc
        target = folder / (
            "naar-aanbieder" if message.side == Side.MUNICIPALITY else "naar-gemeente"
        )
        try:
            target.mkdir(parents=True, exist_ok=True)
            if not inside(target, folder):
                raise TransportError("De map van de koppeling verwijst naar buiten de basismap.")
            name = f"WMO{message.code}_{message.sender_code}_{message.identification}.xml"
            # Write then rename, so the other party never reads half a file.
            handle, temporary = tempfile.mkstemp(dir=target, suffix=".part")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(message.xml)
            os.replace(temporary, target / name)
        except OSError as exc:
            raise TransportError(
                f"Schrijven in de map van de koppeling mislukt: {exc.strerror or exc}"
            ) from exc


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class Http:
    """POSTs the message to the provider's address with our token. Redirects are not
    followed: an answer other than 2xx is a failed delivery."""

    name = Endpoint.Transport.HTTP
    timeout = 15

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def deliver(self, message: Message) -> None:
        if not self.url:
            raise TransportError("Er is geen adres van de aanbieder ingesteld.")
        try:
            scheme, host, port, address = resolve_url(self.url)
        except LinkError as exc:
            raise TransportError(str(exc)) from exc
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, port, address, timeout=self.timeout)
        parts = urlsplit(self.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "POST",
                path,
                body=message.xml.encode("utf-8"),
                headers={
                    "Content-Type": "application/xml; charset=utf-8",
                    "Authorization": f"Bearer {self.token}",
                },
            )
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(f"De aanbieder is niet bereikbaar: {exc}") from exc
        finally:
            connection.close()
        if not 200 <= response.status < 300:
            raise TransportError(f"De aanbieder antwoordde met HTTP {response.status}.")


def transport_for(message: Message):
    endpoint = endpoint_for(
        provider_id=message.provider_id,
        region_id=message.municipality.region_id if message.municipality_id else None,
    )
    if endpoint is None or endpoint.transport == Endpoint.Transport.IN_PROCESS:
        return InProcess()
    if endpoint.transport == Endpoint.Transport.FOLDER:
        return Folder(endpoint.folder)
    if not endpoint.url:
        return Http("", "")  # says that no address is set
    try:
        token = outgoing_token(endpoint)
    except LinkError as exc:
        raise TransportError(str(exc)) from exc
    return Http(endpoint.url, token)
