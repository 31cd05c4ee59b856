"""What the level 3 and 4 checks may ask of the store: earlier messages, assignments, start
and stop reports and requests, from the receiving side's point of view."""

from dataclasses import dataclass

from .models import Message
from .rules.base import RuleContext


@dataclass
class StoreContext(RuleContext):
    message: Message | None = None  # the incoming row being checked (not yet committed)

    @property
    def municipality(self):
        return self.message.municipality if self.message else None

    @property
    def provider(self):
        return self.message.provider if self.message else None
