"""Hypothesis strategies for XSD-valid iWmo 3.2 messages, one for each of the 14 types.

The shape of a message comes from the codec's models (`schemas.schemas().models`): which
elements, in which order, optional or required, single or a list. The values come from the
facets in the XSD files themselves, read here: the `LDT_*` simple types of the basisschema
(enumerations, patterns, min/maxLength, min/maxInclusive) and the inline restrictions in the
message XSDs (`BerichtCode` with pattern "414", `DeclaratieNummer`, ...).

    obj = data.draw(message("301"))       # a WMO301 root object that validates

Strings are kept short and free of leading or trailing whitespace (the codec strips element
text when it reads a message, see the note in `_fits`). The strategies follow the schemas
loaded now: after `schemas.reset()` the next call builds them for the new classes.
"""

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from hypothesis import strategies as st
from lxml import etree

from openarrangementen.iwmo import schemas
from openarrangementen.iwmo.codec import snake
from openarrangementen.iwmo.schemas import MESSAGE_CODES, Complex, Element, Simple, namespace_of
from openarrangementen.iwmo.xmlsafe import parse_file

XS = schemas.XS
XS_NS = "http://www.w3.org/2001/XMLSchema"

# Strings stay short: at most this many characters unless the XSD asks for more.
SHORT = 12
# Lists (containers of a repeated element) hold 1 to this many items.
MAX_ITEMS = 3

# Characters that XML 1.0 can carry and lxml accepts in text: no control characters (also no
# tab/newline/carriage return, which XSD's `.` does not match), no surrogates, no unassigned
# code points (U+FFFE and U+FFFF are unassigned), no private use.
XML_TEXT = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Co"))


@dataclass(frozen=True)
class Facets:
    """The constraints on one simple value, merged along its chain of restrictions."""

    builtin: str  # the XML Schema builtin at the end of the chain: "string", "integer", ...
    enumeration: tuple[str, ...] = ()
    # One tuple of alternatives per restriction step; a value matches every step (XSD: the
    # patterns of one step are alternatives, patterns of derived steps all apply).
    patterns: tuple[tuple[str, ...], ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    min_inclusive: int | None = None
    max_inclusive: int | None = None
    compiled: tuple[re.Pattern, ...] = field(default=(), compare=False)

    def restricted_by(self, restriction: etree._Element) -> "Facets":
        values: dict[str, list[str]] = {}
        for child in restriction:
            if isinstance(child.tag, str) and child.tag.startswith(XS):
                values.setdefault(child.tag[len(XS) :], []).append(child.get("value"))
        merged = self
        if "enumeration" in values:
            merged = replace(merged, enumeration=tuple(values["enumeration"]))
        if "pattern" in values:
            merged = replace(merged, patterns=(*merged.patterns, tuple(values["pattern"])))
        for name, attr, pick in (
            ("minLength", "min_length", max),
            ("maxLength", "max_length", min),
            ("length", "min_length", max),
            ("length", "max_length", min),
            ("minInclusive", "min_inclusive", max),
            ("maxInclusive", "max_inclusive", min),
        ):
            if name in values:
                new = int(values[name][0])
                old = getattr(merged, attr)
                merged = replace(merged, **{attr: new if old is None else pick(old, new)})
        unknown = set(values) - {
            "enumeration", "pattern", "minLength", "maxLength", "length", "minInclusive",
            "maxInclusive", "annotation",
        }  # fmt: skip
        if unknown:
            raise NotImplementedError(f"Facets not supported by the strategies: {unknown}")
        compiled = tuple(
            re.compile("|".join(f"(?:{xsd_regex(p)})" for p in step)) for step in merged.patterns
        )
        return replace(merged, compiled=compiled)

    def lexical_ok(self, text: str) -> bool:
        """The lexical form satisfies the patterns and length facets."""
        if any(pattern.fullmatch(text) is None for pattern in self.compiled):
            return False
        if self.min_length is not None and len(text) < self.min_length:
            return False
        return self.max_length is None or len(text) <= self.max_length


# --- XSD regular expressions → Python --------------------------------------------------------


def xsd_regex(pattern: str, short: bool = False) -> str:
    """An XSD pattern as a Python regex with the same meaning (to be full-matched).

    XSD differs from Python in: `.` does not match \\n or \\r; `\\s` is only space, tab,
    newline and carriage return; `^` and `$` are ordinary characters. With `short`, the
    unbounded quantifiers `*`, `+` and `{n,}` get an upper bound so generated strings stay
    short (a subset of the language, for generating only).
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i + 1]
            if escape in "iIcC" or escape in "pP" and pattern[i + 2 : i + 5] == "{Is":
                raise NotImplementedError(f"XSD-only escape \\{escape} in {pattern!r}")
            if escape == "s":
                out.append(" \\t\\n\\r" if in_class else "[ \\t\\n\\r]")
            elif escape == "S":
                if in_class:
                    raise NotImplementedError(f"\\S inside a character class in {pattern!r}")
                out.append("[^ \\t\\n\\r]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "[":
                raise NotImplementedError(f"XSD character class subtraction in {pattern!r}")
            if char == "]":
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
        elif char == ".":
            out.append("[^\\n\\r]")
        elif char in "^$":
            out.append("\\" + char)
        elif short and char == "*":
            out.append("{0,3}")
        elif short and char == "+":
            out.append("{1,3}")
        elif short and char == "{":
            end = pattern.index("}", i)
            low, comma, high = pattern[i + 1 : end].partition(",")
            out.append(f"{{{low},{int(low) + 3}}}" if comma and not high else pattern[i : end + 1])
            i = end
        else:
            out.append(char)
        i += 1
    return "".join(out)


# --- reading the facets from the XSD files ---------------------------------------------------


class _FacetReader:
    """The facets of the basisschema's simple types and of the inline restrictions."""

    def __init__(self, directory: Path):
        self.basis = parse_file(directory / "basisschema.xsd").getroot()
        self.named: dict[str, Facets] = {}
        # (model key, element name) → facets of an element with an inline restriction.
        self.inline: dict[tuple[str, str], Facets] = {}
        self._read_inline(self.basis, "basis")
        for code in MESSAGE_CODES:
            root = parse_file(directory / f"WMO{code}.xsd").getroot()
            assert root.get("targetNamespace") == namespace_of(code)
            self._read_inline(root, code)

    def _read_inline(self, schema, prefix: str) -> None:
        for complex_type in schema.findall(f"{XS}complexType[@name]"):
            key = f"{prefix}:{complex_type.get('name')}"
            for element in complex_type.findall(f"{XS}sequence/{XS}element"):
                restriction = element.find(f"{XS}simpleType/{XS}restriction")
                if restriction is not None:
                    base = self.resolve(restriction, restriction.get("base"))
                    self.inline[key, element.get("name")] = base.restricted_by(restriction)

    def resolve(self, context, qname: str) -> Facets:
        prefix, _, local = qname.rpartition(":")
        namespace = context.nsmap.get(prefix or None)
        if namespace == XS_NS:
            return Facets(builtin=local)
        if namespace != schemas.BASIS_NS:
            raise NotImplementedError(f"Simple type {qname} outside the basisschema")
        return self.named_type(local)

    def named_type(self, name: str) -> Facets | None:
        """An `LDT_*` type of the basisschema (None when there is no such simple type)."""
        if name not in self.named:
            node = self.basis.find(f"{XS}simpleType[@name='{name}']/{XS}restriction")
            if node is None:
                return None
            self.named[name] = self.resolve(node, node.get("base")).restricted_by(node)
        return self.named[name]

    def facets(self, parent: Complex, element: Element) -> Facets:
        if (parent.key, element.xml_name) in self.inline:
            return self.inline[parent.key, element.xml_name]
        named = self.named_type(element.type.type_name)
        # Otherwise the element is typed with an XML Schema builtin (xs:string, ...).
        return named if named is not None else Facets(builtin=element.type.type_name)


# --- strategies -------------------------------------------------------------------------------


def _fits(facets: Facets):
    """Shape a generated string to the facets: no surrounding whitespace (the codec strips
    element text when reading, so " a" would come back as "a"), at most maxLength."""

    def fit(text: str) -> str:
        text = text.strip()
        if facets.max_length is not None and len(text) > facets.max_length:
            text = text[: facets.max_length].strip()
        return text

    return fit


def _string(facets: Facets) -> st.SearchStrategy[str]:
    if facets.enumeration:
        return st.sampled_from(facets.enumeration)
    if facets.patterns:
        # Generate from the most derived step (the narrowest), check against all steps.
        alternatives = facets.patterns[-1]
        source = st.one_of(
            *[
                st.from_regex(xsd_regex(p, short=True), fullmatch=True, alphabet=XML_TEXT)
                for p in alternatives
            ]
        )
    else:
        low = max(facets.min_length or 0, 1)
        high = max(min(facets.max_length or SHORT, SHORT), low)
        source = st.text(XML_TEXT, min_size=low, max_size=high)
    return source.map(_fits(facets)).filter(lambda text: text and facets.lexical_ok(text))


def _integer(facets: Facets) -> st.SearchStrategy[int]:
    if facets.enumeration:
        return st.sampled_from([int(value) for value in facets.enumeration])
    low, high = facets.min_inclusive, facets.max_inclusive
    if facets.patterns:
        source = st.one_of(
            *[st.from_regex(xsd_regex(p, short=True), fullmatch=True) for p in facets.patterns[-1]]
        ).map(int)
    else:
        source = st.integers(
            min_value=low if low is not None else -(10**9),
            max_value=high if high is not None else 10**9,
        )
    return source.filter(
        lambda value: (
            (low is None or value >= low)
            and (high is None or value <= high)
            and facets.lexical_ok(str(value))
        )
    )


def simple(facets: Facets, kind: str) -> st.SearchStrategy:
    """Values of one simple element, typed as the codec reads them."""
    if kind == "str":
        return _string(facets)
    if kind == "int":
        return _integer(facets)
    if kind == "date":
        return st.dates().filter(lambda value: facets.lexical_ok(value.isoformat()))
    if kind == "time":
        return st.times().filter(lambda value: facets.lexical_ok(value.isoformat()))
    raise NotImplementedError(kind)


class _Builder:
    """The strategies of one loaded `SchemaSet` (its classes)."""

    def __init__(self, schema_set: schemas.SchemaSet):
        self.schema_set = schema_set
        self.reader = _FacetReader(Path(schema_set.directory))
        self.complexes: dict[str, st.SearchStrategy] = {}

    def complex(self, model: Complex) -> st.SearchStrategy:
        if model.key not in self.complexes:
            fields = {field.xml_name: self.field(model, field) for field in model.fields}
            self.complexes[model.key] = st.builds(
                model.cls, **{snake(name): s for name, s in fields.items()}
            )
        return self.complexes[model.key]

    def value(self, parent: Complex, element: Element) -> st.SearchStrategy:
        if isinstance(element.type, Complex):
            return self.complex(element.type)
        assert isinstance(element.type, Simple)
        return simple(self.reader.facets(parent, element), element.type.kind)

    def field(self, parent: Complex, element: Element) -> st.SearchStrategy:
        value = self.value(parent, element)
        if element.many:
            # A required list has 1 to 3 items; an optional one is empty (absent) or 1 to 3.
            return st.lists(value, min_size=1 if element.required else 0, max_size=MAX_ITEMS)
        return value if element.required else st.none() | value


_builders: dict[int, _Builder] = {}


def builder() -> _Builder:
    schema_set = schemas.schemas()
    current = _builders.get(id(schema_set))
    if current is None or current.schema_set is not schema_set:
        current = _builders[id(schema_set)] = _Builder(schema_set)
    return current


def facets(code: str, class_name: str, element_name: str) -> Facets:
    """The facets the strategies use for one element of a message class (for tests)."""
    current = builder()
    models = [current.schema_set.models[code]]
    while models:
        model = models.pop()
        if model.name == class_name:
            element = next(e for e in model.fields if e.xml_name == element_name)
            return current.reader.facets(model, element)
        models.extend(e.type for e in model.fields if isinstance(e.type, Complex))
    raise KeyError(f"{code}:{class_name}")


def message(code: str) -> st.SearchStrategy:
    """XSD-valid root objects (`message_types(code).Bericht`) of one message type."""
    current = builder()
    return current.complex(current.schema_set.models[code])


__all__ = ["MESSAGE_CODES", "XML_TEXT", "Facets", "facets", "message", "simple", "xsd_regex"]
