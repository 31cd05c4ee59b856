"""What the provider's file holds about a person, for the retention job
(`cases.retention`, ADR 0013): notes, signals, handovers and evaluations lose their text;
dates, hours and result codes stay."""

from openarrangementen.cases.retention import Scrub, scrub_with_traject

from .models import (
    Delegation,
    Evaluation,
    Handover,
    LogEntry,
    Signal,
    SupportStop,
    WorkAssignment,
)

scrub_with_traject(
    Scrub(WorkAssignment, "traject_id", ("note",)),
    Scrub(LogEntry, "traject_id", ("note",)),
    Scrub(Signal, "traject_id", ("description", "response")),
    Scrub(SupportStop, "traject_id", ("explanation",)),
    Scrub(Handover, "traject_id", ("text",)),
    Scrub(Evaluation, "traject_id", ("results", "explanation", "signer_name")),
    Scrub(Delegation, "traject_id", ("reason",)),
)
