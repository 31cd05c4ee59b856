"""The inwoner's representatives and supporters, recorded by the municipality's staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .forms import RepresentativeForm
from .permissions import may_record_representatives
from .selectors import client_get_visible_to


def _client(request: HttpRequest, client_pk: int, purpose: str):
    if not may_record_representatives(request.user):
        raise Http404("Deze pagina bestaat niet of u heeft geen toegang.")
    return client_get_visible_to(
        actor=request.user, pk=client_pk, purpose=purpose, path=request.path
    )


@login_required
def representative_edit(request: HttpRequest, client_pk: int, pk: int | None = None):
    client = _client(request, client_pk, "vertegenwoordiging vastleggen")
    representative = get_object_or_404(client.representatives, pk=pk) if pk else None
    form = RepresentativeForm(request.POST or None, instance=representative, client=client)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"{saved.name} is vastgelegd als {saved.get_kind_display()}.")
        return redirect("portal:client-detail", client.pk)
    return render(
        request,
        "clients/representative_form.html",
        {"client": client, "form": form, "representative": representative},
    )


@login_required
@require_POST
def representative_delete(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    client = _client(request, client_pk, "vertegenwoordiging beëindigen")
    representative = get_object_or_404(client.representatives, pk=pk)
    name = representative.name
    representative.delete()
    messages.success(
        request,
        f"{name} is niet meer vastgelegd bij {client.display_name}; "
        "die kan niet meer namens de inwoner inloggen.",
    )
    return redirect("portal:client-detail", client.pk)
