"""Which of the standard's rules (TR, CD, CS, RS) are implemented and tested.

Implemented: registered as a check (`iwmo.rules.REGISTRY`), or "XSD" for a restriction (RS),
which the schema enforces. Tested: a test module in `iwmo/tests` carries
`iwmo_rule("<code>", ...)` (the pytest marker); the test files' text is scanned.
"""

import re
from pathlib import Path

from django.core.management.base import BaseCommand

from openarrangementen.iwmo.rules import REGISTRY, reference_rules
from openarrangementen.iwmo.rules.base import HANDLED_IN_EXCHANGE

TEST_DIR = Path(__file__).resolve().parents[2] / "tests"
_MARKER = re.compile(r"iwmo_rule\(([^)]*)\)")
_CODE = re.compile(r"""["']([A-Z]{2}\d{3}[A-Za-z0-9]*)["']""")


def marked_codes(test_dir: Path = TEST_DIR) -> set[str]:
    """The rule codes named in an `iwmo_rule(...)` marker in the test files."""
    codes: set[str] = set()
    for path in sorted(test_dir.glob("*.py")):
        for marker in _MARKER.finditer(path.read_text(encoding="utf-8")):
            codes.update(_CODE.findall(marker.group(1)))
    return codes


def implementation(code: str) -> str:
    if code.startswith("RS"):
        return "XSD"
    if code in HANDLED_IN_EXCHANGE:
        return "exchange"
    return "ja" if code in REGISTRY else "nee"


class Command(BaseCommand):
    help = "Toon per iWmo-regel (TR, CD, CS, RS) of die geïmplementeerd en getest is."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Toon alleen de regels die niet geïmplementeerd of niet getest zijn.",
        )

    def handle(self, *args, missing=False, **options):
        rules = reference_rules()
        tested = marked_codes()
        implemented_count = tested_count = open_count = 0
        self.stdout.write(
            f"{'regel':8} {'niveau':6} {'retour':6} {'berichten':55} {'geïmplementeerd':15} "
            f"{'getest':6} definitie"
        )
        for code in sorted(rules):
            info = rules[code]
            implemented = implementation(code)
            is_tested = code in tested
            complete = implemented != "nee" and is_tested
            implemented_count += implemented != "nee"
            tested_count += is_tested
            open_count += not complete
            if missing and complete:
                continue
            messages = ",".join(info.messages)
            self.stdout.write(
                f"{code:8} {int(info.level):<6} {info.retour_code or '-':6} {messages:55} "
                f"{implemented:15} {'ja' if is_tested else 'nee':6} {info.definition[:60]}"
            )
        self.stdout.write(
            f"Totaal: {len(rules)} regels, {implemented_count} geïmplementeerd, "
            f"{tested_count} getest, {open_count} niet geïmplementeerd of niet getest."
        )
