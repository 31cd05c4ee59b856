"""The access log at volume (issue #14): one row per list page naming every client shown,
and "who saw client X" answered by one query that an index serves."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from openarrangementen.accounts.models import User
from openarrangementen.cases.tests import flow
from openarrangementen.clients.tests.factories import ClientFactory
from openarrangementen.core.audit import access_log_for_client
from openarrangementen.core.models import AccessLog

pytestmark = pytest.mark.usefixtures("demo")


def test_a_list_page_writes_one_row_naming_every_client_and_each_can_be_found(client):
    almere = flow.verbeek().municipality
    trajects = [flow.new_melding(client=ClientFactory(municipality=almere)) for _ in range(4)]
    client.force_login(flow.user("almere.pa"))
    before = AccessLog.objects.count()
    assert client.get(reverse("portal:traject-list")).status_code == 200
    (row,) = AccessLog.objects.order_by("pk")[before:]
    assert row.action == "list"
    assert sorted(row.client_ids) == sorted(t.client_id for t in trajects)
    assert row.object_id == "4"
    # Open one: a view row; another region's PA tries: a refusal row.
    client.get(reverse("portal:traject-detail", args=[trajects[0].pk]))
    client.force_login(flow.user("mlw.pa"))
    client.get(reverse("portal:traject-detail", args=[trajects[0].pk]))
    with CaptureQueriesContext(connection) as queries:
        seen = list(access_log_for_client(trajects[0].client_id))
    assert len(queries) == 1
    assert {(r.actor.username, r.action) for r in seen} == {
        ("almere.pa", "list"),
        ("almere.pa", "view"),
        ("mlw.pa", "refused"),
    }
    assert access_log_for_client(trajects[1].client_id).get().action == "list"


def test_the_audit_view_finds_a_client_in_the_lists(client):
    traject = flow.new_melding()
    client.force_login(flow.user("almere.pa"))
    client.get(reverse("portal:traject-list"))
    root = User.objects.create_superuser("root", "root@example.invalid", "x")
    client.force_login(root)
    page = client.get(reverse("admin:core_accesslog_changelist"), {"q": str(traject.client_id)})
    assert page.status_code == 200
    assert "werklijst trajecten" in page.text


def _plan(queryset, prefix: str) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {sql}", params)
        return "\n".join(
            str(row[-1] if prefix.endswith("QUERY PLAN") else row[0]) for row in cursor.fetchall()
        )


def test_who_saw_a_client_is_served_by_the_indexes():
    """Both halves of `access_log_for_client` have an index: the single reads' `client_id`
    and, on PostgreSQL, the lists' `client_ids` (GIN). Sequential and plain index scans are
    switched off so a near-empty test table cannot hide a missing index."""
    single = AccessLog.objects.filter(client_id="42")
    if connection.vendor != "postgresql":
        assert "core_accesslog_client_id_" in _plan(single, "EXPLAIN QUERY PLAN")
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert "core_accesslog_client_id_" in _plan(single, "EXPLAIN")
    listed = AccessLog.objects.filter(client_ids__contains=[42])
    assert "core_accesslog_client_ids_gin" in _plan(listed, "EXPLAIN")
