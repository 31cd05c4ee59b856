"""The installed iWmo 3.2 XSDs: loaded once from `IWMO_SCHEMA_DIR`, validated against, and
read into a model of each message (its classes and elements) for the codec.

Only the parts of XML Schema the standard uses are read: named and anonymous complex types
with an `xs:sequence` of elements, and simple types restricting a builtin type.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

from lxml import etree

from .xmlsafe import parse_file

XS = "{http://www.w3.org/2001/XMLSchema}"
BASIS_NS = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"
APPINFO_NS = BASIS_NS

# The 14 message types of iWmo 3.2, and which message answers which (the retour, or the
# declaratie-antwoord for 323).
MESSAGE_CODES = (
    "301", "302", "305", "306", "307", "308", "315",
    "316", "317", "318", "319", "320", "323", "325",
)  # fmt: skip
RETOUR_OF = {
    "301": "302",
    "305": "306",
    "307": "308",
    "315": "316",
    "317": "318",
    "319": "320",
    "323": "325",
}
ORIGINAL_OF = {v: k for k, v in RETOUR_OF.items()}
MUNICIPALITY_SENDS = ("301", "306", "308", "316", "318", "319", "325")
PROVIDER_SENDS = ("302", "305", "307", "315", "317", "320", "323")

NAMES = {
    "301": "Toewijzing",
    "302": "Retour toewijzing",
    "305": "Start ondersteuning",
    "306": "Retour start",
    "307": "Stop ondersteuning",
    "308": "Retour stop",
    "315": "Verzoek om toewijzing",
    "316": "Retour verzoek om toewijzing",
    "317": "Verzoek om wijziging",
    "318": "Retour verzoek om wijziging",
    "319": "Antwoord op verzoek",
    "320": "Retour antwoord",
    "323": "Declaratie",
    "325": "Declaratie-antwoord",
}


def namespace_of(code: str) -> str:
    return f"http://www.istandaarden.nl/iwmo/3_2/wmo{code}/schema"


def code_of_namespace(namespace: str) -> str | None:
    for code in MESSAGE_CODES:
        if namespace == namespace_of(code):
            return code
    return None


class SchemasMissing(Exception):
    """The XSDs are not installed; the message is for the user (Dutch)."""


@dataclass(frozen=True)
class Simple:
    kind: str  # "str", "int", "date" or "time"
    type_name: str  # the LDT_ type (or the element's own restriction)


@dataclass
class Complex:
    key: str  # "301:ToegewezenProduct" or "basis:CDT_Product"
    name: str
    fields: list["Element"] = field(default_factory=list)
    cls: type | None = None


@dataclass(frozen=True)
class Element:
    xml_name: str
    namespace: str
    min_occurs: int
    many: bool
    type: "Simple | Complex"
    # A list wrapped in a container element (ToegewezenProducten > ToegewezenProduct):
    # the (namespace, name) of the repeated element inside.
    item: tuple[str, str] | None = None

    @property
    def required(self) -> bool:
        return self.min_occurs > 0


_BUILTINS = {"string": "str", "integer": "int", "int": "int", "date": "date", "time": "time"}


class _Reader:
    """Reads one message XSD together with the basisschema into `Complex` models."""

    def __init__(self, basis: etree._ElementTree, complexes: dict[str, Complex]):
        self.basis = basis.getroot()
        self.complexes = complexes  # shared across messages for basisschema types

    def read(self, code: str, tree: etree._ElementTree) -> Complex:
        root = tree.getroot()
        bericht = root.find(f"{XS}element[@name='Bericht']")
        return self._complex_named(root, namespace_of(code), code, bericht.get("type"))

    def _resolve(self, node: etree._Element, qname: str) -> tuple[str | None, str]:
        prefix, _, local = qname.rpartition(":")
        return node.nsmap.get(prefix or None), local

    def _complex_named(self, schema: etree._Element, ns: str, code: str, qname: str) -> Complex:
        uri, local = self._resolve(schema, qname)
        if uri == BASIS_NS:
            key, schema, ns = f"basis:{local}", self.basis, BASIS_NS
        else:
            key = f"{code}:{local}"
        if key in self.complexes:
            return self.complexes[key]
        node = schema.find(f"{XS}complexType[@name='{local}']")
        model = Complex(key=key, name=local)
        self.complexes[key] = model
        model.fields = [self._element(schema, ns, code, el) for el in self._sequence(node)]
        return model

    def _sequence(self, complex_node: etree._Element) -> list[etree._Element]:
        sequence = complex_node.find(f"{XS}sequence")
        return [] if sequence is None else sequence.findall(f"{XS}element")

    def _element(self, schema: etree._Element, ns: str, code: str, el: etree._Element) -> Element:
        name = el.get("name")
        min_occurs = int(el.get("minOccurs", "1"))
        many = el.get("maxOccurs", "1") != "1"
        type_name = el.get("type")
        if type_name is None:
            restriction = el.find(f"{XS}simpleType/{XS}restriction")
            kind = self._simple_kind(schema, restriction.get("base"))
            return Element(name, ns, min_occurs, many, Simple(kind, name))
        uri, local = self._resolve(el, type_name)
        owner = self.basis if uri == BASIS_NS else schema
        if uri == "http://www.w3.org/2001/XMLSchema":
            return Element(name, ns, min_occurs, many, Simple(_BUILTINS[local], local))
        if owner.find(f"{XS}simpleType[@name='{local}']") is not None:
            return Element(
                name, ns, min_occurs, many, Simple(self._simple_kind(el, type_name), local)
            )
        target = self._complex_named(schema, ns, code, type_name)
        # A container of one repeated element becomes a list field.
        if len(target.fields) == 1 and target.fields[0].many and not many:
            inner = target.fields[0]
            return Element(
                name, ns, min_occurs, True, inner.type, item=(inner.namespace, inner.xml_name)
            )
        return Element(name, ns, min_occurs, many, target)

    def _simple_kind(self, context: etree._Element, qname: str) -> str:
        uri, local = self._resolve(context, qname)
        seen = 0
        while uri != "http://www.w3.org/2001/XMLSchema" and seen < 20:
            node = self.basis.find(f"{XS}simpleType[@name='{local}']")
            restriction = node.find(f"{XS}restriction")
            uri, local = self._resolve(restriction, restriction.get("base"))
            seen += 1
        return _BUILTINS[local]


@dataclass
class SchemaSet:
    directory: Path
    validators: dict[str, etree.XMLSchema]
    models: dict[str, Complex]
    bericht_codes: dict[str, str]  # "301" -> "414" (the Vektis BerichtCode, COD002)
    xsd_versions: dict[str, tuple[str, str]]  # code -> (BasisschemaXsdVersie, BerichtXsdVersie)


def schema_dir() -> Path:
    directory = settings.IWMO_SCHEMA_DIR
    return directory if isinstance(directory, Path) else Path(directory)


def missing_files(directory: Path) -> list[str]:
    needed = ["basisschema.xsd", *[f"WMO{code}.xsd" for code in MESSAGE_CODES]]
    return [name for name in needed if not (directory / name).is_file()]


def schemas() -> SchemaSet:
    """The loaded schemas of `IWMO_SCHEMA_DIR`; `SchemasMissing` when they are not there."""
    return _load(schema_dir())


def available() -> bool:
    return not missing_files(schema_dir())


@cache
def _load(directory: Path) -> SchemaSet:
    missing = missing_files(directory)
    if missing:
        raise SchemasMissing(
            "De iWmo 3.2-schema's zijn niet geïnstalleerd: in "
            f"{directory} ontbreekt {', '.join(missing[:3])}"
            f"{' en meer' if len(missing) > 3 else ''}. Berichten kunnen niet worden "
            "gemaakt, gecontroleerd of verstuurd. De functioneel beheerder installeert ze "
            "met `manage.py install_iwmo_schemas`."
        )
    basis = parse_file(directory / "basisschema.xsd")
    reader = _Reader(basis, {})
    validators, models, codes, versions = {}, {}, {}, {}
    for code in MESSAGE_CODES:
        tree = parse_file(directory / f"WMO{code}.xsd")
        validators[code] = etree.XMLSchema(tree)
        models[code] = reader.read(code, tree)
        root = tree.getroot()
        pattern = root.find(
            f"{XS}complexType[@name='Header']/{XS}sequence/{XS}element[@name='BerichtCode']"
            f"//{XS}pattern"
        )
        codes[code] = pattern.get("value")
        appinfo = root.find(f"{XS}annotation/{XS}appinfo")
        versions[code] = (
            appinfo.findtext(f"{{{APPINFO_NS}}}BasisschemaXsdVersie"),
            appinfo.findtext(f"{{{APPINFO_NS}}}BerichtXsdVersie"),
        )
    from .codec import attach_classes  # the codec builds classes for the models

    attach_classes(models)
    return SchemaSet(directory, validators, models, codes, versions)


def reset() -> None:
    """Forget loaded schemas (after installing new ones)."""
    _load.cache_clear()


def validate(code: str, root: etree._Element) -> list[str]:
    """XSD errors of a message (empty when valid), one readable line per error."""
    validator = schemas().validators[code]
    if validator.validate(root.getroottree() if hasattr(root, "getroottree") else root):
        return []
    return [_readable(error) for error in validator.error_log]


def _readable(error) -> str:
    message = error.message
    for ns in (BASIS_NS, *[namespace_of(c) for c in MESSAGE_CODES]):
        message = message.replace("{" + ns + "}", "")
    return f"regel {error.line}: {message}" if error.line else message
