"""The one way into XML for the product: no DTDs, no entities, no network, a size limit.

Every iWmo message, uploaded file and HTTP body is read through `parse_xml`. It refuses
XXE and entity expansion (billion laughs) by refusing any document type declaration, and
refuses documents larger than `IWMO_MAX_MESSAGE_BYTES`. Errors carry a Dutch message for
the user and never a traceback.
"""

import re

from django.conf import settings

from lxml import etree

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class XmlRefused(ValueError):
    """The document is not XML we read; the message is for the user (Dutch)."""


def max_bytes() -> int:
    return int(getattr(settings, "IWMO_MAX_MESSAGE_BYTES", 10 * 1024 * 1024))


class _NoExternal(etree.Resolver):
    """Refuses every external resource (DTD subset, parameter entity, ...) before libxml2
    opens it: with load_dtd=False it still reads `file:` URLs of an external subset or
    parameter entity, e.g. in a UTF-16 document that the byte search above cannot see."""

    def resolve(self, url, pubid, context):
        raise XmlRefused(
            "Het bericht verwijst naar een DTD of extern bestand; dat is niet toegestaan."
        )


def parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
        collect_ids=False,
    )


def parse_xml(data: bytes | str) -> etree._Element:
    """Parse an untrusted document; raise `XmlRefused` with a Dutch reason when it is not
    acceptable."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as exc:  # lone surrogates
            raise XmlRefused("Het bericht bevat tekens die geen geldige tekst zijn.") from exc
    if not data or not data.strip():
        raise XmlRefused("Het bericht is leeg.")
    limit = max_bytes()
    if len(data) > limit:
        raise XmlRefused(
            f"Het bericht is te groot ({len(data):,} bytes; de grens is {limit:,} bytes)."
        )
    # UTF-16 documents hide the declaration from a byte search; lxml reports the doctype.
    if _DOCTYPE.search(data):
        raise XmlRefused("Het bericht bevat een DTD of entiteiten; dat is niet toegestaan.")
    untrusted = parser()
    untrusted.resolvers.add(_NoExternal())  # only here: the XSDs import each other
    try:
        root = etree.fromstring(data, untrusted)
    except XmlRefused:
        raise
    except etree.XMLSyntaxError as exc:
        line = f" (regel {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise XmlRefused(f"Het bericht is geen geldige XML{line}: {exc.msg}") from exc
    except ValueError as exc:  # e.g. an unsupported encoding declaration
        raise XmlRefused(f"Het bericht is geen leesbare XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise XmlRefused("Het bericht bevat een DTD of entiteiten; dat is niet toegestaan.")
    return root


def parse_file(path) -> etree._ElementTree:
    """A trusted file of the installed standard (XSD); still no DTDs or network."""
    return etree.parse(str(path), parser())
