"""From the domain to message objects: the 301 for a client's assignments at one provider
(OP087), the 305/307 for start and stop, the 315/317 requests and the 319 answer."""

from typing import Any

from django.utils import timezone

from openarrangementen.clients.models import Client

from . import codec
from .models import Assignment, DeliveryReport
from .retour import header


def _header(code, municipality, provider, identification, dated_on, *, from_provider=False):
    parties = (municipality.cbs_code, provider.agb_code)
    sender, receiver = reversed(parties) if from_provider else parties
    return header(
        code, sender=sender, receiver=receiver, identification=identification, dated_on=dated_on
    )


def _birth_date(types, client: Client):
    # DatumGebruik (COD170) only marks unknown parts; a full date leaves it empty.
    return types.CDT_Geboortedatum(datum=client.birth_date, datum_gebruik=None)


def _gender(client: Client) -> str:
    return client.gender if client.gender in {"0", "1", "2"} else "0"


def _name(types, client: Client):
    """CDT_VerkorteNaam, or CDT_VolledigeNaam (with NaamGebruik 1, own name) in the 301."""
    fields = {
        "geslachtsnaam": types.CDT_Achternaam(
            achternaam=client.family_name[:200], voorvoegsel=client.family_name_prefix or None
        ),
        "voornamen": client.given_names[:200] or None,
        "voorletters": client.initials.replace(".", "").replace(" ", "")[:6] or None,
    }
    if hasattr(types, "CDT_VerkorteNaam"):
        return types.CDT_VerkorteNaam(**fields)
    return types.CDT_VolledigeNaam(partnernaam=None, naam_gebruik="1", **fields)


def _product(types, category: str, code: str):
    return types.CDT_Product(categorie=category, code=code or None)


# --- 301 -----------------------------------------------------------------------------------


def assignments_for_301(*, municipality, provider, client, on) -> list[Assignment]:
    """OP087: every assignment for this client at this provider valid on or after the day
    of the message, plus every one changed since the previous 301 (e.g. withdrawn)."""
    rows = Assignment.objects.filter(
        municipality=municipality, provider=provider, client=client
    ).order_by("number")
    return [
        a
        for a in rows
        if (a.is_current and (a.end_on is None or a.end_on >= on)) or a.changed_since_sent
    ]


def toewijzing(
    *, municipality, provider, client: Client, assignments, identification, dated_on
) -> Any:
    types = codec.message_types("301")
    address = types.CDT_Adres(
        huis=types.CDT_Huis(
            huisnummer=client.house_number,
            huisletter=None,
            huisnummer_toevoeging=client.house_number_addition[:4] or None,
            aanduiding_woonadres=None,
        ),
        postcode=client.postcode.replace(" ", "").upper() or None,
        straatnaam=client.street[:24] or None,
        plaatsnaam=client.city[:80] or None,
        land_code="NL",
    )
    phone = "".join(ch for ch in client.phone if ch.isdigit())[:15]
    contact = types.Contact(
        soort="01",
        adres=address if client.house_number else None,
        telefoon=(
            types.CDT_Telefoonnummers(
                # Landnummer: the international prefix, "0031" for the Netherlands.
                telefoon01=types.CDT_Telefoon(telefoonnummer=phone, landnummer="0031"),
                telefoon02=None,
            )
            if phone
            else None
        ),
    )
    products = []
    for a in assignments:
        assigned = timezone.localtime(a.assigned_at)
        products.append(
            types.ToegewezenProduct(
                toewijzing_nummer=a.number,
                referentie_aanbieder=a.provider_reference or None,
                product=_product(types, a.product_category, a.product_code),
                toewijzingsdatum=assigned.date(),
                toewijzingstijd=assigned.time().replace(microsecond=0, tzinfo=None),
                ingangsdatum=a.start_on,
                einddatum=a.end_on,
                reden_wijziging=a.change_reason or None,
                omvang=(
                    types.CDT_Omvang(volume=a.volume, eenheid=a.unit, frequentie=a.frequency)
                    if a.volume is not None
                    else None
                ),
                budget=a.budget,
                commentaar=a.commentary or None,
            )
        )
    return types.Bericht(
        header=_header("301", municipality, provider, identification, dated_on),
        client=types.Client(
            bsn=client.bsn,
            geboortedatum=_birth_date(types, client),
            geslacht=_gender(client),
            naam=_name(types, client),
            contactgegevens=[contact],
            toegewezen_producten=products,
        ),
    )


# --- 305 / 307 -----------------------------------------------------------------------------


def _delivery_client(code: str, client: Client, items_field: str, items: list) -> Any:
    types = codec.message_types(code)
    return types.Client(
        bsn=client.bsn,
        geboortedatum=_birth_date(types, client),
        geslacht=_gender(client),
        naam=_name(types, client),
        **{items_field: items},
    )


def start(*, assignment: Assignment, begin_on, identification, dated_on, status="1") -> Any:
    types = codec.message_types("305")
    item = types.StartProduct(
        toewijzing_nummer=assignment.number,
        product=_product(types, assignment.product_category, assignment.product_code),
        toewijzing_ingangsdatum=assignment.start_on,
        begindatum=begin_on,
        status_aanlevering=status,
    )
    return types.Bericht(
        header=_header(
            "305",
            assignment.municipality,
            assignment.provider,
            identification,
            dated_on,
            from_provider=True,
        ),
        client=_delivery_client("305", assignment.client, "start_producten", [item]),
    )


def stop(
    *, assignment: Assignment, start_report: DeliveryReport, end_on, reason, identification,
    dated_on, status="1",
) -> Any:  # fmt: skip
    """TR382: the key of the start (number, product, assignment start, begin) is copied."""
    types = codec.message_types("307")
    item = types.StopProduct(
        toewijzing_nummer=assignment.number,
        product=_product(types, start_report.product_category, start_report.product_code),
        toewijzing_ingangsdatum=start_report.assignment_start_on,
        begindatum=start_report.begin_on,
        reden_beeindiging=reason,
        einddatum=end_on,
        status_aanlevering=status,
    )
    return types.Bericht(
        header=_header(
            "307",
            assignment.municipality,
            assignment.provider,
            identification,
            dated_on,
            from_provider=True,
        ),
        client=_delivery_client("307", assignment.client, "stop_producten", [item]),
    )


# --- 315 / 317 / 319 -------------------------------------------------------------------------


def request_for_assignment(
    *, municipality, provider, client: Client, products: list[dict], identification, dated_on
) -> Any:
    """315: one AangevraagdProduct per dict (reference, category, code, start_on, end_on,
    volume, unit, frequency, beschikking_number, beschikking_start_on, commentary)."""
    types = codec.message_types("315")
    items = [
        types.AangevraagdProduct(
            referentie_aanbieder=p["reference"],
            beschikking_nummer=p.get("beschikking_number"),
            product=_product(types, p["category"], p.get("code", "")),
            beschikking_ingangsdatum=p.get("beschikking_start_on"),
            toewijzing_ingangsdatum=p["start_on"],
            toewijzing_einddatum=p.get("end_on"),
            omvang=types.CDT_Omvang(
                volume=p["volume"], eenheid=p["unit"], frequentie=p["frequency"]
            ),
            budget=None,
            verwijzer=types.CDT_Verwijzer(type="01", naam=None, zorgverlener_code=None),
            raamcontract=None,
            commentaar=p.get("commentary") or None,
        )
        for p in products
    ]
    return types.Bericht(
        header=_header("315", municipality, provider, identification, dated_on, from_provider=True),
        client=types.Client(
            bsn=client.bsn,
            geboortedatum=_birth_date(types, client),
            geslacht=_gender(client),
            naam=_name(types, client),
            commentaar=None,
            aangevraagde_producten=items,
        ),
    )


def request_for_change(
    *, municipality, provider, client: Client, reference, reason, unchanged: list[int],
    changes: list[dict], new: list[dict], identification, dated_on,
) -> Any:  # fmt: skip
    """317: the whole desired situation: unchanged assignment numbers, changes
    (number, start_on, end_on, volume/unit/frequency) and new products."""
    types = codec.message_types("317")

    def volume(p):
        if p.get("volume") is None:
            return None
        return types.CDT_Omvang(volume=p["volume"], eenheid=p["unit"], frequentie=p["frequency"])

    return types.Bericht(
        header=_header("317", municipality, provider, identification, dated_on, from_provider=True),
        client=types.Client(
            bsn=client.bsn,
            verzoek=types.Verzoek(
                referentie_aanbieder=reference,
                reden_verzoek=reason,
                ongewijzigde_producten=[
                    types.OngewijzigdProduct(toewijzing_nummer=n) for n in unchanged
                ],
                te_wijzigen_producten=[
                    types.TeWijzigenProduct(
                        toewijzing_nummer=p["number"],
                        gewenste_ingangsdatum=p["start_on"],
                        einddatum=p.get("end_on"),
                        omvang=volume(p),
                        budget=None,
                    )
                    for p in changes
                ],
                nieuwe_producten=[
                    types.NieuwProduct(
                        product=_product(types, p["category"], p.get("code", "")),
                        gewenste_ingangsdatum=p["start_on"],
                        einddatum=p.get("end_on"),
                        omvang=volume(p),
                        budget=None,
                    )
                    for p in new
                ],
            ),
        ),
    )


def answer(*, municipality, provider, reference, answer_code, reason, identification, dated_on):
    """319: 1 rejected (with a WJ759 reason), 2 under investigation."""
    types = codec.message_types("319")
    return types.Bericht(
        header=_header("319", municipality, provider, identification, dated_on),
        antwoord=types.Antwoord(
            referentie_aanbieder=reference,
            verzoek_antwoord=answer_code,
            reden_afwijzing_verzoek=reason or None,
        ),
    )
