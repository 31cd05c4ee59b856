"""Pages with a count that stops early (issue #14, ADR 0010)."""

import pytest

from openarrangementen.accounts.tests.factories import MunicipalityFactory
from openarrangementen.clients.models import Client
from openarrangementen.clients.tests.factories import ClientFactory
from openarrangementen.core.pagination import CappedPaginator


@pytest.fixture
def thirty(db):
    municipality = MunicipalityFactory()
    ClientFactory.create_batch(30, municipality=municipality)
    return Client.objects.filter(municipality=municipality).order_by("pk")


def test_an_exact_count_below_the_cap(thirty):
    paginator = CappedPaginator(thirty, per_page=10, cap=50)
    assert (paginator.count, paginator.is_capped, paginator.num_pages) == (30, False, 3)
    assert paginator.count_text("inwoner", "inwoners") == "30 inwoners"
    assert paginator.count_label == "30"


def test_above_the_cap_the_count_says_more_than_and_the_last_page_is_full(thirty):
    paginator = CappedPaginator(thirty, per_page=10, cap=20)  # the cap: whole pages
    assert paginator.is_capped
    assert paginator.count_text("inwoner", "inwoners") == "meer dan 20 inwoners"
    assert paginator.num_pages == 2
    last = paginator.get_page(99)
    assert last.number == 2
    assert len(last.object_list) == 10  # rows 11-20 of the list, in its order
    assert [c.pk for c in last.object_list] == list(thirty.values_list("pk", flat=True))[10:20]


def test_the_count_reads_at_most_cap_plus_one_ids(thirty, django_assert_num_queries):
    paginator = CappedPaginator(thirty, per_page=10, cap=1000)
    with django_assert_num_queries(1) as captured:
        assert paginator.count == 30
    assert "LIMIT 1001" in captured.captured_queries[0]["sql"]


def test_one_is_singular_and_thousands_use_a_dot(thirty):
    assert CappedPaginator(thirty[:1], cap=5).count_text("traject", "trajecten") == "1 traject"
    assert CappedPaginator(thirty, cap=10).count_label == "meer dan 10"
    many = CappedPaginator(thirty, cap=2000)
    many.__dict__["_counted"] = 2001
    assert many.count_label == "meer dan 2.000"
