"""The one way to make a PDF: a Django template rendered by WeasyPrint as PDF/UA."""

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Render `template` to an accessible PDF (PDF/UA-1: tagged, with language and title).

    WeasyPrint is imported here, not at module level: it loads Pango and HarfBuzz, which
    only the pages that make documents need.
    """
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")
