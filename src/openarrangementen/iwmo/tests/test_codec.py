"""The codec on the example messages of the standard, and the schema loader around it."""

import dataclasses
from datetime import date, time
from pathlib import Path

from django.conf import settings as django_settings

import pytest
from lxml import etree

from openarrangementen.iwmo import codec, schemas
from openarrangementen.iwmo.codec import MessageError
from openarrangementen.iwmo.schemas import MESSAGE_CODES, SchemasMissing
from openarrangementen.iwmo.xmlsafe import parse_xml

EXAMPLES = Path(django_settings.IWMO_SCHEMA_DIR) / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("WMO*.xml"))


def example(code: str) -> bytes:
    return (EXAMPLES / f"WMO{code}.xml").read_bytes()


def without(data: bytes, code: str, path: str) -> bytes:
    """The example with the first element at `path` (prefixes wmo/iwmo) removed."""
    root = parse_xml(data)
    namespaces = {"wmo": schemas.namespace_of(code), "iwmo": schemas.BASIS_NS}
    node = root.xpath(path, namespaces=namespaces)[0]
    node.getparent().remove(node)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def restore_schemas():
    schemas.reset()
    yield
    schemas.reset()


# --- the examples of the standard ------------------------------------------------------------


def test_the_examples_are_there():
    assert [path.name for path in EXAMPLE_FILES] == [
        f"WMO{code}.xml" for code in ("301", "305", "307", "315", "317", "319", "323", "325")
    ]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.stem)
def test_example_parses_validates_rebuilds_and_parses_back_equal(path):
    data = path.read_bytes()
    code = path.stem.removeprefix("WMO")

    root = parse_xml(data)
    assert codec.detect_code(root) == code
    assert schemas.validate(code, root) == []

    bericht = codec.parse(data)
    assert codec.code_of(bericht) == code
    assert isinstance(bericht, codec.message_types(code).Bericht)

    rebuilt = codec.build(bericht)
    assert rebuilt.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert schemas.validate(code, parse_xml(rebuilt)) == []
    assert codec.parse(rebuilt) == bericht
    # Nothing of the original is lost: the rebuilt XML carries the same elements and texts.
    assert _texts(parse_xml(rebuilt)) == _texts(root)


def _texts(root: etree._Element) -> list[tuple[str, str]]:
    return [(node.tag, (node.text or "").strip()) for node in root.iter()]


def test_values_are_typed():
    bericht = codec.parse(example("301"))
    header, client = bericht.header, bericht.client

    assert header.bericht_code == "414"
    assert header.bericht_versie == 3
    assert header.bericht_subversie == 2
    assert header.afzender == "0384"  # a string: the leading zero of the gemeentecode stays
    assert header.bericht_identificatie.dagtekening == date(2023, 8, 13)
    assert client.bsn == "999900006"
    assert client.geboortedatum.datum == date(1967, 8, 13)
    assert client.naam.geslachtsnaam.voorvoegsel == "de"

    products = client.toegewezen_producten
    assert isinstance(products, list)
    assert len(products) >= 1
    product = products[0]
    assert product.toewijzing_nummer == 101
    assert isinstance(product.toewijzing_nummer, int)
    assert product.toewijzingsdatum == date(2023, 8, 13)
    assert product.toewijzingstijd == time(12, 34, 56)
    assert product.product.categorie == "01"
    assert product.product.code == "01A01"
    assert product.omvang.volume == 10
    assert product.omvang.eenheid == "01"
    assert product.reden_wijziging is None  # an optional element that is absent


def test_lists_of_simple_values_and_nested_lists():
    bericht = codec.parse(example("325"))
    assert bericht.header.retour_codes == ["0200"]
    clients = bericht.declaratie_antwoord.clienten
    assert all(isinstance(client.prestaties, list) for client in clients)
    codes = [prestatie.retour_codes for client in clients for prestatie in client.prestaties]
    assert ["9339", "9340", "9341"] in codes


def test_message_types_exposes_the_classes_of_a_message():
    types = codec.message_types("301")
    bericht = codec.parse(example("301"))

    assert types.Bericht is type(bericht)
    assert types.Bericht.__name__ == "WMO301"
    assert isinstance(bericht.header, types.Header)
    assert isinstance(bericht.client.toegewezen_producten[0], types.ToegewezenProduct)
    assert isinstance(bericht.client.toegewezen_producten[0].product, types.CDT_Product)
    assert [f.name for f in dataclasses.fields(types.CDT_Product)] == ["categorie", "code"]
    assert types.ToegewezenProduct is not codec.message_types("302").ToegewezenProduct


@pytest.mark.parametrize("code", MESSAGE_CODES)
def test_every_message_type_has_classes(code):
    types = codec.message_types(code)
    assert types.Bericht.__iwmo_code__ == code
    assert [f.name for f in dataclasses.fields(types.Bericht)][0] == "header"


def test_an_object_built_by_hand_becomes_a_message():
    bericht = codec.parse(example("301"))
    types = codec.message_types("301")
    product = dataclasses.replace(
        bericht.client.toegewezen_producten[0],
        toewijzing_nummer=102,
        product=types.CDT_Product(categorie="02", code=None),
        einddatum=None,
    )
    bericht.client.toegewezen_producten.append(product)

    xml = codec.build(bericht)

    assert schemas.validate("301", parse_xml(xml)) == []
    again = codec.parse(xml)
    assert [p.toewijzing_nummer for p in again.client.toegewezen_producten][-2:] == [101, 102]
    assert again.client.toegewezen_producten[-1].product.code is None


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "xml",
    [
        b"<html><body>Hallo</body></html>",
        b'<Bericht xmlns="urn:iets-anders"/>',
        b'<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw301/schema"/>',
        b"<Bericht/>",
        b'<Header xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo301/schema"/>',
    ],
)
def test_a_foreign_root_element_is_refused_in_dutch(xml):
    with pytest.raises(MessageError, match="Dit is geen iWmo 3.2-bericht"):
        codec.detect_code(parse_xml(xml))
    with pytest.raises(MessageError, match="het hoofdelement is"):
        codec.parse(xml)


def test_a_value_of_the_wrong_type_is_refused_in_dutch():
    xml = example("301").replace(b">101<", b">honderd<")
    with pytest.raises(MessageError, match="ToewijzingNummer: 'honderd' is geen geldige waarde"):
        codec.parse(xml)


def test_parse_is_lenient_but_validate_finds_the_missing_required_element():
    data = without(example("301"), "301", "/wmo:Bericht/wmo:Client/wmo:Geslacht")

    bericht = codec.parse(data)  # no exception: parse does not check the XSD
    assert bericht.client.geslacht is None

    errors = schemas.validate("301", parse_xml(data))
    assert errors
    assert any("Geslacht" in error for error in errors)
    # The rebuilt message is just as invalid: build does not invent a value.
    assert schemas.validate("301", parse_xml(codec.build(bericht)))


def test_validate_reports_readable_errors_without_namespaces():
    data = without(example("323"), "323", "/wmo:Bericht/wmo:Declaratie/wmo:DeclaratieNummer")

    errors = schemas.validate("323", parse_xml(data))

    assert len(errors) == 1
    error = errors[0]
    assert error.startswith("regel ")
    assert "DeclaratiePeriode" in error
    assert "DeclaratieNummer" in error
    assert "{http" not in error
    assert "istandaarden" not in error


def test_validate_reports_a_wrong_value():
    data = example("301").replace(b"<wmo301:BerichtCode>414<", b"<wmo301:BerichtCode>415<")
    errors = schemas.validate("301", parse_xml(data))
    assert errors
    assert "BerichtCode" in errors[0]
    assert "415" in errors[0]
    assert "{http" not in errors[0]


# --- the schemas are installed (or not) -------------------------------------------------------


def test_schemas_missing_names_the_missing_file_in_dutch(settings, tmp_path, restore_schemas):
    settings.IWMO_SCHEMA_DIR = tmp_path

    assert not schemas.available()
    with pytest.raises(SchemasMissing) as raised:
        schemas.schemas()
    message = str(raised.value)
    assert "De iWmo 3.2-schema's zijn niet geïnstalleerd" in message
    assert "basisschema.xsd" in message
    assert "en meer" in message
    assert "manage.py install_iwmo_schemas" in message
    # Everything that needs the schemas says so, with the same message.
    with pytest.raises(SchemasMissing):
        codec.parse(example("301"))
    with pytest.raises(SchemasMissing):
        schemas.validate("301", parse_xml(example("301")))


def test_schemas_missing_names_the_one_file_that_is_missing(settings, tmp_path, restore_schemas):
    source = Path(django_settings.IWMO_SCHEMA_DIR)
    for path in source.glob("*.xsd"):
        if path.name != "WMO319.xsd":
            (tmp_path / path.name).write_bytes(path.read_bytes())
    settings.IWMO_SCHEMA_DIR = tmp_path

    with pytest.raises(SchemasMissing, match="ontbreekt WMO319.xsd. Berichten kunnen niet"):
        schemas.schemas()

    (tmp_path / "WMO319.xsd").write_bytes((source / "WMO319.xsd").read_bytes())
    assert schemas.available()
    assert codec.parse(example("319")) is not None


def test_the_schemas_are_loaded_once(restore_schemas):
    first = schemas.schemas()
    assert schemas.schemas() is first
    assert sorted(first.validators) == sorted(MESSAGE_CODES)
    assert first.bericht_codes["301"] == "414"
    assert first.xsd_versions["301"] == ("1.0.0", "1.0.0")
    schemas.reset()
    assert schemas.schemas() is not first
