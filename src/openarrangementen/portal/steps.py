"""One form, one service call: the shape of most traject pages on either side.

A form checks the input, the service applies the rules; a refused step comes back on the
same page with the service's Dutch message, and nothing entered is lost.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openarrangementen.cases.models import Traject
from openarrangementen.cases.services import TrajectError


def form_page(
    request: HttpRequest,
    traject: Traject,
    form,
    title: str,
    *,
    template: str,
    submit: str = "Opslaan",
    intro: str = "",
    **extra,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "traject": traject,
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            **extra,
        },
    )


def handle(
    request: HttpRequest,
    traject: Traject,
    form,
    call: Callable[[dict], object],
    success: str | Callable[[object], str],
    title: str,
    *,
    done_url: str,
    template: str,
    **page,
) -> HttpResponse:
    """Validate, call the service, redirect to `done_url` on success; otherwise the same
    page with the errors. `success` may be built from the service's result."""
    if request.method == "POST" and form.is_valid():
        try:
            result = call(form.cleaned_data)
        except TrajectError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(done_url)
    return form_page(request, traject, form, title, template=template, **page)
