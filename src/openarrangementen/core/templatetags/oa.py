from decimal import Decimal

from django import template

from openarrangementen.core.identifiers import mask_bsn
from openarrangementen.core.money import format_euro

register = template.Library()


@register.filter
def euro(value: Decimal | None) -> str:
    if value is None or value == "":
        return "–"
    return format_euro(Decimal(value))


@register.filter
def masked_bsn(value: str) -> str:
    return mask_bsn(value or "")


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current page's query string with another page number (filters kept)."""
    query = context["request"].GET.copy()
    query["pagina"] = number
    return "?" + query.urlencode()
