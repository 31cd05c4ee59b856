"""iWmo messages as typed Python objects, built from the XSDs: XML in, objects out, and back.

Each class of a message (Header, Client, ToegewezenProduct, ...) and each composite data
type of the basisschema (CDT_Product, CDT_Omvang, ...) becomes a dataclass whose fields are
the elements in XSD order, in snake_case (`ToewijzingNummer` → `toewijzing_nummer`). Values
are typed: `str`, `int`, `datetime.date`, `datetime.time`; an optional element is `None`
when absent; a container of a repeated element (`ToegewezenProducten`) is a plain list of
its items (`toegewezen_producten: list[ToegewezenProduct]`). Because the classes come from
the schemas, there is one codec for all 14 message types and nothing is retyped by hand.

    types = message_types("301")
    bericht = parse(xml_bytes)            # safe parse + typed objects (no XSD check)
    xml = build(bericht)                  # bytes, namespaces and order per the XSD
"""

import dataclasses
import re
from datetime import date, time
from functools import cache
from types import SimpleNamespace
from typing import Any

from lxml import etree

from .schemas import BASIS_NS, Complex, Element, Simple, code_of_namespace, namespace_of, schemas
from .xmlsafe import XmlRefused, parse_xml


class MessageError(ValueError):
    """The XML does not fit the message model; the message is for the user (Dutch)."""


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def attach_classes(models: dict[str, Complex]) -> None:
    seen: set[str] = set()
    for code, root in models.items():
        _attach(root, code, seen)


def _attach(model: Complex, code: str, seen: set[str]) -> None:
    if model.key in seen:
        return
    seen.add(model.key)
    specs = []
    for element in model.fields:
        if isinstance(element.type, Complex):
            _attach(element.type, code, seen)
        name = snake(element.xml_name)
        meta = {"element": element}
        if element.many:
            spec = (name, list, dataclasses.field(default_factory=list, metadata=meta))
        else:
            spec = (name, Any, dataclasses.field(default=None, metadata=meta))
        specs.append(spec)
    label = model.name if model.key.startswith("basis:") else f"WMO{code}_{model.name}"
    if model.name == "Root":
        label = f"WMO{code}"
    model.cls = dataclasses.make_dataclass(label, specs, eq=True, repr=True)
    model.cls.__iwmo_model__ = model
    if model.name == "Root":
        model.cls.__iwmo_code__ = code


def message_types(code: str) -> SimpleNamespace:
    """The classes of one message: `.Bericht` (the root), `.Header`, `.Client`, ... and the
    basisschema types used in it (`.CDT_Product`, ...)."""
    root = schemas().models[code]
    found: dict[str, type] = {"Bericht": root.cls}

    def walk(model: Complex) -> None:
        for element in model.fields:
            if isinstance(element.type, Complex) and element.type.name not in found:
                found[element.type.name] = element.type.cls
                walk(element.type)

    walk(root)
    return SimpleNamespace(**found)


def code_of(obj) -> str:
    return type(obj).__iwmo_code__


# --- XML → objects -------------------------------------------------------------------------


def parse(data: bytes | str) -> Any:
    """Safely parse a message of any of the 14 types into its typed root object."""
    return from_element(parse_xml(data))


def detect_code(root: etree._Element) -> str:
    namespace = etree.QName(root).namespace or ""
    code = code_of_namespace(namespace)
    if code is None or etree.QName(root).localname != "Bericht":
        raise MessageError(
            "Dit is geen iWmo 3.2-bericht: het hoofdelement is "
            f"{etree.QName(root).localname} in {namespace or 'geen namespace'}."
        )
    return code


def from_element(root: etree._Element) -> Any:
    code = detect_code(root)
    return _read(root, schemas().models[code])


def _read(node: etree._Element, model: Complex) -> Any:
    values = {}
    for element in model.fields:
        name = snake(element.xml_name)
        tag = f"{{{element.namespace}}}{element.xml_name}"
        found = node.findall(tag)
        if element.item is not None:
            items = []
            for container in found[:1]:
                items = container.findall(f"{{{element.item[0]}}}{element.item[1]}")
            values[name] = [_value(child, element) for child in items]
        elif element.many:
            values[name] = [_value(child, element) for child in found]
        else:
            values[name] = _value(found[0], element) if found else None
    return model.cls(**values)


def _value(node: etree._Element, element: Element) -> Any:
    if isinstance(element.type, Complex):
        return _read(node, element.type)
    text = (node.text or "").strip()
    return _convert(text, element.type, element.xml_name)


def _convert(text: str, simple: Simple, name: str) -> Any:
    try:
        if simple.kind == "int":
            return int(text)
        if simple.kind == "date":
            return date.fromisoformat(text)
        if simple.kind == "time":
            return time.fromisoformat(text)
    except ValueError as exc:
        raise MessageError(f"{name}: '{text}' is geen geldige waarde.") from exc
    return text


# --- objects → XML -------------------------------------------------------------------------


def to_element(obj: Any) -> etree._Element:
    code = code_of(obj)
    ns = namespace_of(code)
    root = etree.Element(f"{{{ns}}}Bericht", nsmap={f"wmo{code}": ns, "iwmo": BASIS_NS})
    _write(root, obj)
    return root


def build(obj: Any) -> bytes:
    """The message as UTF-8 XML bytes (not validated; see `iwmo.messages.validated`)."""
    return etree.tostring(
        to_element(obj), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


@cache
def fields_of(cls: type) -> tuple[tuple[str, Element, bool], ...]:
    """(field name, XSD element, whether it holds class objects) of a message class, in
    document order: read once per class (a 323 of 10,000 Prestaties has 300,000 objects to
    walk, and `dataclasses.fields` per object costs more than the walk itself)."""
    return tuple(
        (f.name, f.metadata["element"], isinstance(f.metadata["element"].type, Complex))
        for f in dataclasses.fields(cls)
    )


def _write(parent: etree._Element, obj: Any) -> None:
    for name, element, _complex in fields_of(type(obj)):
        value = getattr(obj, name)
        if value is None or (element.many and not value):
            continue
        tag = f"{{{element.namespace}}}{element.xml_name}"
        if element.item is not None:
            container = etree.SubElement(parent, tag)
            item_tag = f"{{{element.item[0]}}}{element.item[1]}"
            for item in value:
                _write_value(etree.SubElement(container, item_tag), item, element)
        elif element.many:
            for item in value:
                _write_value(etree.SubElement(parent, tag), item, element)
        else:
            _write_value(etree.SubElement(parent, tag), value, element)


def _write_value(node: etree._Element, value: Any, element: Element) -> None:
    if isinstance(element.type, Complex):
        _write(node, value)
    elif isinstance(value, (date, time)):
        node.text = value.isoformat()
    else:
        node.text = str(value)


# --- helpers for rules and mapping ---------------------------------------------------------


def walk(obj: Any, path: tuple = ()):
    """Every message object in document order, with its path of (field name, index)."""
    yield path, obj
    for name, element, complex_ in fields_of(type(obj)):
        if not complex_:
            continue
        value = getattr(obj, name)
        if element.many:
            for index, item in enumerate(value):
                yield from walk(item, (*path, (name, index)))
        elif value is not None:
            yield from walk(value, (*path, (name, None)))


def class_name(obj: Any) -> str:
    return type(obj).__iwmo_model__.name


__all__ = [
    "MessageError",
    "XmlRefused",
    "build",
    "code_of",
    "detect_code",
    "from_element",
    "message_types",
    "parse",
    "snake",
    "to_element",
    "walk",
]
