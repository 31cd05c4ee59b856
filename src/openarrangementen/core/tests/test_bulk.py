"""`core.bulk.insert`: many new rows at once, as `bulk_create` would write them (COPY on
PostgreSQL, `bulk_create` elsewhere; the suite runs on both)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

import pytest

from openarrangementen.accounts.tests.factories import UserFactory
from openarrangementen.core.bulk import insert, update
from openarrangementen.core.models import AccessLog, EquatedHoliday

pytestmark = pytest.mark.django_db(transaction=False)


def test_rows_are_written_with_their_defaults_and_creation_time():
    actor = UserFactory()
    before = timezone.now()
    insert(
        [
            AccessLog(actor=actor, action="list", object_type="traject", object_id="-",
                      client_ids=[3, 5], purpose="werklijst"),
            AccessLog(actor=actor, action="view", object_type="traject", object_id="7",
                      purpose="dossier"),
        ]
    )  # fmt: skip
    rows = list(AccessLog.objects.order_by("id").values("object_id", "client_ids", "path", "at"))
    assert [(r["object_id"], r["client_ids"], r["path"]) for r in rows] == [
        ("-", [3, 5], ""),
        ("7", [], ""),
    ]
    assert all(r["at"] >= before for r in rows)


def test_given_primary_keys_are_kept():
    insert(
        [
            EquatedHoliday(pk=901, day=date(2027, 5, 6), description="a", source="KB 1"),
            EquatedHoliday(pk=905, day=date(2027, 5, 7), description="b", source="KB 2"),
        ]
    )
    assert list(EquatedHoliday.objects.order_by("pk").values_list("pk", "description")) == [
        (901, "a"),
        (905, "b"),
    ]


def test_a_constraint_violation_writes_nothing():
    EquatedHoliday.objects.create(day=date(2027, 5, 6), description="er al", source="KB")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(
            [
                EquatedHoliday(day=date(2027, 5, 7), description="nieuw", source="KB"),
                EquatedHoliday(day=date(2027, 5, 6), description="dubbel", source="KB"),
            ]
        )
    assert list(EquatedHoliday.objects.values_list("description", flat=True)) == ["er al"]


def test_objects_with_and_without_primary_keys_are_not_mixed():
    with pytest.raises(ValueError, match="primary key"):
        insert(
            [
                EquatedHoliday(pk=1, day=date(2027, 5, 6), description="a", source="KB"),
                EquatedHoliday(day=date(2027, 5, 7), description="b", source="KB"),
            ]
        )
    assert not EquatedHoliday.objects.exists()


def test_update_writes_the_fields_of_each_row_and_nothing_else():
    """`update` as `bulk_update`: each row its own values (text, JSON, a date-time, a
    foreign key, an empty value), other fields and other rows untouched."""
    first, second = UserFactory(), UserFactory()
    insert(
        [
            AccessLog(actor=first, action="list", object_type="t", object_id="1",
                      client_ids=[1], purpose="werklijst"),
            AccessLog(actor=first, action="view", object_type="t", object_id="2",
                      client_ids=[], purpose="dossier"),
            AccessLog(actor=first, action="view", object_type="t", object_id="3",
                      purpose="ongemoeid"),
        ]
    )  # fmt: skip
    rows = list(AccessLog.objects.order_by("object_id"))
    moment = timezone.now().replace(microsecond=0) - timezone.timedelta(days=3)
    rows[0].purpose, rows[0].client_ids, rows[0].actor = "nieuw doel", [4, 5], second
    rows[1].purpose, rows[1].client_ids, rows[1].at = "ander doel", [], moment
    rows[1].client_id = ""
    rows[0].object_type = "niet geschreven"  # not among the fields

    update(rows[:2], ["purpose", "client_ids", "actor", "at", "client_id"])

    written = list(
        AccessLog.objects.order_by("object_id").values_list(
            "object_id", "purpose", "client_ids", "actor", "object_type"
        )
    )
    assert written == [
        ("1", "nieuw doel", [4, 5], second.pk, "t"),
        ("2", "ander doel", [], first.pk, "t"),
        ("3", "ongemoeid", [], first.pk, "t"),
    ]
    assert AccessLog.objects.get(object_id="2").at == moment
