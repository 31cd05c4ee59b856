"""What the beschikkingen hold about a person, and the bezwaar that keeps a traject, for the
retention job (`cases.retention`, ADR 0013)."""

from django.db.models import Exists, OuterRef

from openarrangementen.cases.retention import Scrub, hold, scrub_with_traject

from .models import Beschikking, FollowUp, Objection, StartCheck

scrub_with_traject(
    Scrub(Beschikking, "traject_id", ("considerations", "content", "review_note")),
    Scrub(Objection, "beschikking__traject_id", ("grounds",)),
    Scrub(StartCheck, "traject_id", ("remarks",)),
    Scrub(FollowUp, "traject_id", ("evaluation_summary", "explanation")),
)

# The product records a bezwaar but not yet the decision on it (issue #19), so every bezwaar
# counts as open and keeps its traject: never destroy what a bezwaar or an appeal may need.
hold(
    "bezwaar",
    lambda today: Exists(Objection.objects.filter(beschikking__traject=OuterRef("pk"))),
)
