"""What the POP holds about a person, for the retention job (`cases.retention`, ADR 0013).
The structure stays (arrangement, level, period, consent per field, who signed when);
the person's story and goals go."""

from openarrangementen.cases.retention import Scrub, scrub_with_traject

from .models import Consultation, PartOne, PartTwo, ProviderChoice, Signature

scrub_with_traject(
    Scrub(
        PartOne,
        "traject_id",
        (
            "own_strength",
            "prior_facilities",
            "general_facilities",
            "customised_support",
            "suffers_from",
            "cannot_do",
            "diagnosis",
            "level_argumentation",
            "goals",
            "assessment_scores",
            "deviation_motivation",
            "disagreement",
            "second_opinion_notes",
        ),
    ),
    Scrub(Consultation, "traject_id", ("consulted", "question", "answer")),
    Scrub(ProviderChoice, "traject_id", ("referred_to",)),
    Scrub(Signature, "traject_id", ("signer_name",)),
    Scrub(PartTwo, "traject_id", ("results", "expected_changes", "activities", "review_reasons")),
)
