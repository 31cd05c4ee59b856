"""What the iWmo exchange holds about a person, for the retention job (`cases.retention`,
ADR 0013). A message about one client loses its XML (name, BSN, address); its code,
dates, parties, status and retour codes stay, so the message log still adds up. Declarations
(323/325) list many clients and belong to the accounts: they are not touched here."""

from openarrangementen.cases.retention import Scrub, scrub_with_client, scrub_with_traject

from .models import Assignment, DeliveryReport, Message, Request

MESSAGE_FIELDS = ("xml", "violations", "errors", "last_error")

scrub_with_traject(
    Scrub(Message, "traject_id", MESSAGE_FIELDS),
    Scrub(Assignment, "traject_id", ("commentary",)),
    Scrub(DeliveryReport, "assignment__traject_id", ("bsn",)),
    Scrub(Request, "traject_id", ("bsn",)),
)
scrub_with_client(
    Scrub(Message, "client_id", MESSAGE_FIELDS),
    Scrub(Request, "client_id", ("bsn",)),
)
