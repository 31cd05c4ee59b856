"""The one way into XML: hostile or broken documents are refused with a Dutch `XmlRefused`,
never another exception, and the parser never reads a file or a network resource."""

import socket
from pathlib import Path

from django.conf import settings as django_settings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from openarrangementen.iwmo.xmlsafe import XmlRefused, parse_xml

EXAMPLES = Path(django_settings.IWMO_SCHEMA_DIR) / "examples"
SECRET = "GEHEIM-7f3a9c-niet-lezen"

DTD_REFUSED = "bevat een DTD of entiteiten; dat is niet toegestaan"
EXTERNAL_REFUSED = "verwijst naar een DTD of extern bestand; dat is niet toegestaan"


def example(code: str = "305") -> bytes:
    return (EXAMPLES / f"WMO{code}.xml").read_bytes()


@pytest.fixture
def secret_file(tmp_path):
    """A local file whose content must never show up anywhere."""
    path = tmp_path / "geheim.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def refused(data, match: str | None = None) -> XmlRefused:
    with pytest.raises(XmlRefused) as raised:
        parse_xml(data)
    message = str(raised.value)
    assert message.startswith("Het bericht "), message
    assert "Traceback" not in message
    if match is not None:
        assert match in message
    return raised.value


def refusal(data) -> str | None:
    """The Dutch reason when `parse_xml` refuses, None when it reads the document. Any other
    exception escapes (and fails the test)."""
    try:
        parse_xml(data)
    except XmlRefused as exc:
        return str(exc)
    return None


# --- hostile documents ------------------------------------------------------------------------


def xxe(url: str) -> str:
    return f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]><r>&x;</r>'


def test_xxe_to_etc_passwd_is_refused():
    error = refused(xxe("file:///etc/passwd").encode(), DTD_REFUSED)
    assert "root:" not in str(error)


def test_xxe_to_a_local_file_is_refused_and_its_content_appears_nowhere(secret_file):
    error = refused(xxe(secret_file.as_uri()).encode(), DTD_REFUSED)
    assert SECRET not in str(error)
    assert SECRET not in repr(error.__cause__)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def test_billion_laughs_is_refused():
    refused(BILLION_LAUGHS, DTD_REFUSED)


def test_billion_laughs_in_utf16_is_refused():
    refused(BILLION_LAUGHS.decode().replace('"1.0"?', '"1.0" encoding="UTF-16"?').encode("utf-16"))


def test_an_external_dtd_reference_is_refused():
    refused(b'<!DOCTYPE r SYSTEM "http://example.com/kwaad.dtd"><r/>', DTD_REFUSED)
    refused(b'<!DOCTYPE r PUBLIC "-//X//DTD X//EN" "file:///etc/passwd"><r/>', DTD_REFUSED)


def test_the_doctype_search_ignores_case_and_whitespace():
    refused(b'<! doctype r [<!entity x "y">]><r>&x;</r>', DTD_REFUSED)


UTF16 = '<?xml version="1.0" encoding="UTF-16"?>'


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_doctype_in_utf16_or_utf32_is_refused(encoding):
    declaration = UTF16.replace("UTF-16", encoding.upper())
    document = declaration + '<!DOCTYPE r [<!ENTITY x "gevaarlijk">]><r>&x;</r>'
    # The byte search cannot see the declaration; the parsed doctype gives it away.
    refused(document.encode(encoding), DTD_REFUSED)


@pytest.mark.parametrize(
    ("doctype", "reason"),
    [
        ('<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]><r>&x;</r>', DTD_REFUSED),
        ('<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]><r a="&x;"/>', None),
        ('<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]><r/>', EXTERNAL_REFUSED),
        ('<!DOCTYPE r SYSTEM "{url}"><r/>', EXTERNAL_REFUSED),
        ('<!DOCTYPE r PUBLIC "-//X//DTD X//EN" "{url}"><r/>', EXTERNAL_REFUSED),
    ],
    ids=["entity", "entity-in-attribute", "parameter-entity", "external-subset", "public-id"],
)
def test_utf16_documents_never_read_a_local_file(doctype, reason, secret_file):
    document = (UTF16 + doctype.format(url=secret_file.as_uri())).encode("utf-16")

    error = refused(document, reason)

    # libxml2 opens the file of an external subset or parameter entity even without
    # load_dtd; the parser refuses the URL first. Had it read the file, the parse error of
    # its content would name it somewhere in the chain of exceptions.
    chain = []
    while error is not None:
        chain.append(str(error))
        error = error.__cause__ or error.__context__
    assert not any(SECRET in text or secret_file.name in text for text in chain), chain


def test_a_utf7_document_with_a_doctype_is_refused(secret_file):
    url = secret_file.as_uri()
    document = (
        f'<?xml version="1.0" encoding="UTF-7"?><!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]><r>&x;</r>'
    )
    head, body = document.split("?>", 1)
    error = refused(head.encode() + b"?>" + body.encode("utf-7"))
    assert SECRET not in str(error)


def test_xinclude_is_not_processed(secret_file):
    document = (
        '<r xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<xi:include href="{secret_file.as_uri()}" parse="text"/></r>'
    ).encode()

    root = parse_xml(document)

    assert SECRET not in etree.tostring(root, encoding="unicode")
    assert root[0].tag == "{http://www.w3.org/2001/XInclude}include"  # left as it is


def test_a_stylesheet_instruction_is_not_followed(secret_file):
    document = f'<?xml-stylesheet href="{secret_file.as_uri()}"?><r>tekst</r>'.encode()
    root = parse_xml(document)
    assert SECRET not in etree.tostring(root.getroottree(), encoding="unicode")


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE r SYSTEM "{url}"><r/>',
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]><r/>',
        '<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]><r>&x;</r>',
    ],
    ids=["external-subset", "parameter-entity", "entity"],
)
def test_no_network_connection_is_made(doctype):
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/kwaad.dtd"
        refused((UTF16 + doctype.format(url=url)).encode("utf-16"))
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody knocked


# --- limits and broken documents --------------------------------------------------------------


def test_a_document_over_the_size_limit_is_refused(settings):
    data = example()
    settings.IWMO_MAX_MESSAGE_BYTES = len(data) - 1
    error = refused(data, "Het bericht is te groot")
    assert f"{len(data):,} bytes" in str(error)

    settings.IWMO_MAX_MESSAGE_BYTES = len(data)  # exactly at the limit is allowed
    assert parse_xml(data) is not None


def test_the_default_size_limit_is_ten_megabytes(settings):
    del settings.IWMO_MAX_MESSAGE_BYTES
    body = b"<r>" + b"a" * (10 * 1024 * 1024) + b"</r>"
    refused(body, "de grens is 10,485,760 bytes")


def test_a_truncated_message_is_refused():
    data = example()
    error = refused(data[: len(data) // 2], "Het bericht is geen geldige XML")
    assert "(regel " in str(error)


@pytest.mark.parametrize("body", [b"", b"   \n\t", ""])
def test_an_empty_body_is_refused(body):
    refused(body, "Het bericht is leeg.")


@pytest.mark.parametrize(
    "body",
    [
        b"Dit is geen XML",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b'{"bericht": "301"}',
        b"\xef\xbb\xbf",
        b"<r>\x00</r>",
        b"<a><b></a></b>",
        b"<r/><r/>",
        b'<?xml version="1.0" encoding="onbekend"?><r/>',
        "<r>\ud800</r>",
    ],
    ids=[
        "tekst", "pdf", "png", "json", "alleen-bom", "nul-byte", "verkeerd-genest",
        "twee-wortels", "onbekende-codering", "surrogaat",
    ],
)  # fmt: skip
def test_non_xml_is_refused(body):
    refused(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_any_bytes_are_refused_or_read_never_another_exception(data):
    message = refusal(data)
    assert message is None or message.startswith("Het bericht ")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_examples_are_refused_or_read_never_another_exception(data):
    original = example(data.draw(st.sampled_from(["301", "305", "323", "325"])))
    start = data.draw(st.integers(0, len(original)))
    end = data.draw(st.integers(start, min(len(original), start + 40)))
    insert = data.draw(st.binary(max_size=20) | st.sampled_from([b"<", b"&", b"]]>", b"<!"]))
    message = refusal(original[:start] + insert + original[end:])
    assert message is None or message.startswith("Het bericht ")


# --- what is accepted -------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("WMO*.xml")), ids=lambda path: path.stem)
def test_the_examples_of_the_standard_are_accepted(path):
    root = parse_xml(path.read_bytes())
    assert etree.QName(root).localname == "Bericht"
    assert root.getroottree().docinfo.doctype == ""


def test_text_and_utf16_without_doctype_are_accepted():
    data = example()
    assert etree.QName(parse_xml(data.decode("utf-8"))).localname == "Bericht"
    utf16 = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert etree.QName(parse_xml(utf16.encode("utf-16"))).localname == "Bericht"


def test_blank_text_between_elements_is_dropped_and_values_are_kept():
    root = parse_xml(b"<r>\n  <a> waarde </a>\n  <b/>\n</r>")
    assert root.text is None
    assert root[0].text == " waarde "
