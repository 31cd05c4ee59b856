"""The iWmo 3.2 rules (TR, CD, CS, RS) as named checks. See `base` for the framework;
importing this package registers every check."""

from . import (
    base,  # noqa: F401
    content,  # noqa: F401  (controleniveau 2: within the message)
    cross,  # noqa: F401  (controleniveau 3: against earlier messages in the store)
    external,  # noqa: F401  (controleniveau 4: system date, CBS codes)
)
from .base import REGISTRY, Level, Rule, RuleContext, Violation, check, reference_rules

__all__ = ["REGISTRY", "Level", "Rule", "RuleContext", "Violation", "check", "reference_rules"]
