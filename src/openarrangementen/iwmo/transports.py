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

import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

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
    name = Endpoint.Transport.FOLDER

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def deliver(self, message: Message) -> None:
        target = self.folder / (
            "naar-aanbieder" if message.side == Side.MUNICIPALITY else "naar-gemeente"
        )
        try:
            target.mkdir(parents=True, exist_ok=True)
            name = f"WMO{message.code}_{message.sender_code}_{message.identification}.xml"
            # Write then rename, so the other party never reads half a file.
            handle, temporary = tempfile.mkstemp(dir=target, suffix=".part")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(message.xml)
            os.replace(temporary, target / name)
        except OSError as exc:
            raise TransportError(f"Schrijven in {target} mislukt: {exc.strerror or exc}") from exc


class Http:
    name = Endpoint.Transport.HTTP
    timeout = 15

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def deliver(self, message: Message) -> None:
        if not self.url:
            raise TransportError("Er is geen adres van de aanbieder ingesteld.")
        request = urllib.request.Request(
            self.url,
            data=message.xml.encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/xml; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if response.status >= 300:
                    raise TransportError(f"De aanbieder antwoordde met HTTP {response.status}.")
        except urllib.error.HTTPError as exc:
            raise TransportError(f"De aanbieder antwoordde met HTTP {exc.code}.") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(f"De aanbieder is niet bereikbaar: {exc}") from exc


def transport_for(message: Message):
    endpoint = Endpoint.objects.filter(provider_id=message.provider_id).first()
    if endpoint is None or endpoint.transport == Endpoint.Transport.IN_PROCESS:
        return InProcess()
    if endpoint.transport == Endpoint.Transport.FOLDER:
        return Folder(endpoint.folder)
    return Http(endpoint.url, endpoint.outgoing_token)
