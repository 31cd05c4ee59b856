"""Validity periods: from a date up to and including an optional end date. Pure Python."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Validity:
    valid_from: date
    valid_to: date | None  # inclusive; None = open-ended

    def contains(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, other: "Validity") -> bool:
        starts_before_other_ends = other.valid_to is None or self.valid_from <= other.valid_to
        ends_after_other_starts = self.valid_to is None or other.valid_from <= self.valid_to
        return starts_before_other_ends and ends_after_other_starts

    def describe(self) -> str:
        """Dutch, for messages: '01-01-2024 – 31-12-2025' or 'vanaf 01-01-2024'."""
        if self.valid_to is None:
            return f"vanaf {self.valid_from:%d-%m-%Y}, zonder einddatum"
        return f"{self.valid_from:%d-%m-%Y} – {self.valid_to:%d-%m-%Y}"


def validity_error(valid_from: date | None, valid_to: date | None) -> str:
    if valid_from and valid_to and valid_to < valid_from:
        return "De einddatum ligt vóór de begindatum."
    return ""
