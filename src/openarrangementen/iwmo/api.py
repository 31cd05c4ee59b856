"""The HTTP endpoint for providers' own software: POST one iWmo message (XML body) with the
provider's bearer token. The answer says what happened:

- 200 with the retour (XML) when the message was checked: approved or with retour codes;
- 200 with the earlier retour when the same message was already received (nothing changes);
- 400 with the reasons (text) when the message is unreadable or breaks the XSD: the
  standard's control level 1, for which no retour exists;
- 401 without a valid token, 413 when the body is too large.

The retour is also delivered through the provider's transport (its own URL).
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .exchange import receive
from .links import token_digest
from .models import Endpoint
from .xmlsafe import max_bytes


def _endpoint_for(request: HttpRequest) -> Endpoint | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # The digest of a long random token is what is stored; look it up directly.
    return (
        Endpoint.objects.select_related("provider", "region")
        .filter(transport=Endpoint.Transport.HTTP, token_digest=token_digest(token.strip()))
        .first()
    )


def _text(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def messages(request: HttpRequest) -> HttpResponse:
    endpoint = _endpoint_for(request)
    if endpoint is None:
        return _text(401, "Geen geldig token.")
    limit = max_bytes()
    declared = int(request.headers.get("Content-Length") or 0)
    # Read up to our own limit: `request.body` would stop at Django's
    # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) with a generic error first.
    data = request.read(limit + 1) if declared <= limit else b""
    if declared > limit or len(data) > limit:
        return _text(413, f"Het bericht is te groot (de grens is {limit:,} bytes).")
    result = receive(
        data,
        transport=Endpoint.Transport.HTTP,
        provider=endpoint.provider,
        region=endpoint.region,
    )
    if result.refused and result.retour is None:
        return _text(400, "\n".join(result.errors))
    if result.retour is None:
        # A 323 without errors: the 325 follows after the billing check.
        return _text(200, "Ontvangen; het antwoord volgt.")
    response = HttpResponse(result.retour.xml, content_type="application/xml; charset=utf-8")
    response["X-Iwmo-Duplicate"] = "1" if result.duplicate else "0"
    return response
