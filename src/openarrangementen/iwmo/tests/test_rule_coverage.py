"""The rule coverage command, and the guard that every registered rule has a test."""

from io import StringIO

from django.core.management import call_command

from openarrangementen.iwmo.management.commands.iwmo_rule_coverage import marked_codes
from openarrangementen.iwmo.rules import REGISTRY, reference_rules


def run(*args) -> list[str]:
    out = StringIO()
    call_command("iwmo_rule_coverage", *args, stdout=out)
    return out.getvalue().splitlines()


def test_one_line_per_rule_of_the_reference_and_totals():
    lines = run()
    rules = reference_rules()
    body = {line.split()[0]: line for line in lines[1:-1]}
    assert set(body) == set(rules)
    tr380 = body["TR380"].split()
    assert tr380[:6] == ["TR380", "2", "0001", "317", "ja", "ja"]
    assert "Vullen met een datum die groter is dan de dagtekening" in body["TR380"]
    rs017 = body["RS017"].split()
    assert rs017[1:3] == ["1", "-"]
    assert rs017[4:6] == ["XSD", "ja"]
    tr378 = body["TR378"].split()
    assert tr378[1:6] == ["4", "S300", "301,305,307,315,317,319,323,325", "ja", "ja"]
    assert lines[-1].startswith(f"Totaal: {len(rules)} regels, ")


def test_missing_lists_only_what_is_open():
    lines = run("--missing")
    open_codes = {line.split()[0] for line in lines[1:-1]}
    for code in open_codes:
        assert code not in REGISTRY or code not in marked_codes()
    assert "TR380" not in open_codes
    assert "RS017" not in open_codes
    assert lines[-1].endswith(f"{len(open_codes)} niet geïmplementeerd of niet getest.")


def test_tested_codes_reads_the_markers(tmp_path):
    (tmp_path / "test_x.py").write_text(
        '@pytest.mark.iwmo_rule("TR001", "CD002")\n'
        "pytest.param(1, marks=pytest.mark.iwmo_rule('RS003'))\n"
        '# "TR004" outside a marker does not count\n',
        encoding="utf-8",
    )
    assert marked_codes(tmp_path) == {"TR001", "CD002", "RS003"}


def test_every_registered_rule_has_a_test_marker():
    untested = sorted(set(REGISTRY) - marked_codes())
    assert untested == [], f"Regels zonder test met iwmo_rule-marker: {', '.join(untested)}"
