"""The framework for the standard's rules as named checks.

A check is a function registered under the standard's rule code, for the messages it applies
to. It receives the parsed message (the typed root object of `iwmo.codec`) and a
`RuleContext`, and yields a `Violation` for each place the rule is broken, pointing at the
message class object (Header, Client, ToegewezenProduct, ...) where it was found:

    @rule("TR380", messages=("317",))
    def _(msg, ctx):
        for product in msg.client.verzoek.nieuwe_producten:
            if product.gewenste_ingangsdatum <= msg.header.bericht_identificatie.dagtekening:
                yield Violation.at(product, "GewensteIngangsdatum ligt niet na de dagtekening.")

The rule's definition, controleniveau and retour code are read from the installed
`reference/regels` folder, not retyped: `reference_rules()`. A rule's level decides the
retour (IV028/IV032): level 2 (within the message) rejects the whole message with 0001 in
the header only; level 3 and 4 put the rule's retour code on the class where it was found.
Restrictions (RS) are enforced by the XSD (level 1): a message that breaks one is refused
without a retour.
"""

import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from functools import cache
from pathlib import Path
from typing import Any

from openarrangementen.iwmo.schemas import schema_dir


class Level(IntEnum):
    XSD = 1  # berichtformaat
    CONTENT = 2  # berichtinhoud (xslt)
    CROSS = 3  # berichtoverstijgend
    EXTERNAL = 4  # externe bron


_LEVEL_NAMES = {
    "xslt": Level.CONTENT,
    "berichtoverstijgend": Level.CROSS,
    "externe-bron": Level.EXTERNAL,
}


@dataclass(frozen=True)
class Violation:
    code: str  # the rule code, set by `check`
    obj: Any  # the message class object where the rule is broken
    text: str  # Dutch, for the message log
    retour_code: str = ""  # set by `check` from the rule

    @classmethod
    def at(cls, obj: Any, text: str) -> "Violation":
        return cls(code="", obj=obj, text=text)


@dataclass
class RuleContext:
    """What a check may know beyond the message. Level-2 checks use only `today`; the store
    (`iwmo.store.StoreContext`) answers the questions of level 3 and 4 checks."""

    today: date
    facts: dict = field(default_factory=dict)  # free for tests and simple callers


@dataclass(frozen=True)
class Rule:
    code: str
    messages: tuple[str, ...]
    func: Callable[[Any, RuleContext], Iterable[Violation]]
    level: Level | None = None  # None: read from the reference files


REGISTRY: dict[str, Rule] = {}

# Rules the exchange itself enforces before any check runs, so no check function could see
# their case: TR056 (an identification used twice by a sender) is the duplicate detection
# in `exchange._duplicate` (the same XML: nothing changes; other XML: header retour 9056).
HANDLED_IN_EXCHANGE = {"TR056": "exchange._duplicate"}


def rule(code: str, *, messages: tuple[str, ...], level: Level | None = None):
    def register(func):
        if code in REGISTRY:
            raise ValueError(f"Rule {code} registered twice.")
        REGISTRY[code] = Rule(code=code, messages=tuple(messages), func=func, level=level)
        return func

    return register


@dataclass(frozen=True)
class RuleInfo:
    """A rule as the standard's reference describes it."""

    code: str
    definition: str
    level: Level
    retour_code: str  # "" where the standard gives none (RS, or "n.v.t.")
    messages: tuple[str, ...]


def rule_level(code: str) -> Level:
    registered = REGISTRY.get(code)
    if registered and registered.level is not None:
        return registered.level
    info = reference_rules().get(code)
    if info is not None:
        return info.level
    return Level.XSD if code.startswith("RS") else Level.CONTENT


def retour_code_of(code: str) -> str:
    info = reference_rules().get(code)
    if info is None or not info.retour_code:
        return "0001"
    return info.retour_code


# What the rules of one `check` may share about the message they read (e.g. its objects per
# class, `content._classes`): set for the duration of one call, so nothing outlives it.
CHECK_SCRATCH: ContextVar[dict | None] = ContextVar("iwmo_check_scratch", default=None)


def check(
    msg: Any, ctx: RuleContext, *, code: str | None = None, level: Level | None = None
) -> list[Violation]:
    """Every violation of the registered rules that apply to this message type (only the
    rule `code`, or only the rules of controleniveau `level`, when given)."""
    token = CHECK_SCRATCH.set({})
    try:
        return _check(msg, ctx, code=code, level=level)
    finally:
        CHECK_SCRATCH.reset(token)


def _check(msg: Any, ctx: RuleContext, *, code: str | None, level: Level | None):
    from openarrangementen.iwmo.codec import code_of

    message_code = code_of(msg)
    found = []
    for registered in REGISTRY.values():
        if message_code not in registered.messages:
            continue
        if code is not None and registered.code != code:
            continue
        if level is not None and rule_level(registered.code) != level:
            continue
        retour = retour_code_of(registered.code)
        for violation in registered.func(msg, ctx) or ():
            found.append(
                Violation(
                    code=registered.code, obj=violation.obj, text=violation.text, retour_code=retour
                )
            )
    return found


# --- the reference ---------------------------------------------------------------------------


def reference_rules() -> dict[str, RuleInfo]:
    return _reference_rules(schema_dir())


@cache
def _reference_rules(directory: Path) -> dict[str, RuleInfo]:
    base = directory / "reference" / "regels"
    rules: dict[str, RuleInfo] = {}
    for path in sorted((base / "technische-regels").glob("*/TR*.md")):
        text = path.read_text(encoding="utf-8")
        definition = re.search(r"## Definitie\s+(.*?)\n---", text, re.S)
        retour = re.search(r"\| Retourcode \| (\S+)", text)
        code = path.stem
        rules[code] = RuleInfo(
            code=code,
            definition=re.sub(
                r"^TR\d+:\s*", "", (definition.group(1) if definition else "").strip()
            ),
            level=_LEVEL_NAMES.get(path.parent.name, Level.CONTENT),
            retour_code=(
                retour.group(1) if retour and re.fullmatch(r"[0-9A-Z]{4}", retour.group(1)) else ""
            ),
            messages=tuple(sorted(set(re.findall(r"^- WMO(\d{3})", text, re.M)))),
        )
    table = base / "condities-constraints" / "CD_CS_RS_per_dataelement.md"
    if table.is_file():
        collected: dict[str, dict] = {}
        for line in table.read_text(encoding="utf-8").splitlines():
            if not line.startswith("| WMO"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            message, code, definition, retour = cells[0], cells[7], cells[8], cells[10]
            entry = collected.setdefault(
                code, {"definition": definition, "retour": retour, "messages": set()}
            )
            number = re.search(r"WMO(\d{3})", message)
            # "WMO Retour" rows apply to every retour message.
            entry["messages"].update(
                [number.group(1)] if number else ["302", "306", "308", "316", "318", "320"]
            )
        for code, entry in collected.items():
            rules[code] = RuleInfo(
                code=code,
                definition=entry["definition"],
                level=Level.XSD if code.startswith("RS") else Level.CONTENT,
                retour_code=entry["retour"] if re.fullmatch(r"\d{4}", entry["retour"]) else "",
                messages=tuple(sorted(entry["messages"])),
            )
    return rules


def reset() -> None:
    _reference_rules.cache_clear()
