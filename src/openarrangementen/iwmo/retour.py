"""Headers and retour messages per the standard's error levels (IV028, IV032).

- No errors: the retour holds only the Header, without retour codes.
- Controleniveau 1 (XSD): no retour at all; the transport tells the sender.
- Controleniveau 2 (within the message): only the Header, with retour code 0001.
- Controleniveau 3/4 in the Header: only the Header, with the rule's retour code.
- Controleniveau 3/4 in a class of the client: every class of the client is copied, each
  with its retour codes: 0200 where the class is fine, the rule's code where it is not.
"""

import dataclasses
from datetime import date
from typing import Any

from . import codec
from .schemas import RETOUR_OF, Complex, schemas

OK = "0200"
TECHNICAL = "0001"
FULLY_GRANTED = "8001"  # WJ001: Declaratie is volledig toegewezen


def header(code: str, *, sender: str, receiver: str, identification: str, dated_on: date) -> Any:
    """The Header of a new message of type `code`."""
    types = codec.message_types(code)
    basis_version, message_version = schemas().xsd_versions[code]
    return types.Header(
        bericht_code=schemas().bericht_codes[code],
        bericht_versie=3,
        bericht_subversie=2,
        afzender=sender,
        ontvanger=receiver,
        bericht_identificatie=types.CDT_BerichtIdentificatie(
            identificatie=identification, dagtekening=dated_on
        ),
        xsd_versie=types.CDT_XsdVersie(
            basisschema_xsd_versie=basis_version, bericht_xsd_versie=message_version
        ),
    )


def retour_for(
    original: Any,
    *,
    identification: str,
    dated_on: date,
    header_codes: list[str] | None = None,
    class_codes: dict[int, list[str]] | None = None,
) -> Any:
    """The retour of `original`. `header_codes` set: a header-only retour with those codes.
    `class_codes` (by `id()` of the original's class objects) set: the client's classes
    copied, each with its codes or 0200. Neither: the header-only approval."""
    code = codec.code_of(original)
    retour_code = RETOUR_OF[code]
    model = schemas().models[retour_code]
    root_fields = {f.xml_name: f for f in model.fields}
    header_model = root_fields["Header"].type
    values = _copy(original.header, header_model, {}, default=None)
    values.bericht_code = schemas().bericht_codes[retour_code]
    basis_version, message_version = schemas().xsd_versions[retour_code]
    xsd_type = _field_class(header_model, "XsdVersie")
    if retour_code == "325":
        values.declaratie_identificatie = _field_class(header_model, "DeclaratieIdentificatie")(
            identificatie=original.header.bericht_identificatie.identificatie,
            dagtekening=original.header.bericht_identificatie.dagtekening,
        )
        values.bericht_identificatie = _field_class(header_model, "BerichtIdentificatie")(
            identificatie=identification, dagtekening=dated_on
        )
        values.xsd_versie_declaratie = xsd_type(**dataclasses.asdict(original.header.xsd_versie))
        # IV087: the declaratie-antwoord goes from the municipality back to the provider.
        values.afzender, values.ontvanger = original.header.ontvanger, original.header.afzender
    else:
        values.identificatie_retour = identification
        values.dagtekening_retour = dated_on
        values.xsd_versie_retour = xsd_type(
            basisschema_xsd_versie=basis_version, bericht_xsd_versie=message_version
        )
    values.xsd_versie = (
        xsd_type(basisschema_xsd_versie=basis_version, bericht_xsd_versie=message_version)
        if retour_code == "325"
        else xsd_type(**dataclasses.asdict(original.header.xsd_versie))
    )
    values.retour_codes = list(header_codes or [])
    if retour_code == "325" and not header_codes:
        values.retour_codes = [OK]  # the 325 header always carries a retour code (IV088)
    root = model.cls(header=values)
    if retour_code == "325" and class_codes is not None and not header_codes:
        root.declaratie_antwoord = _declaratie_antwoord(original, model, class_codes)
        return root
    if class_codes is not None and not header_codes:
        values.retour_codes = [OK]
        for element in model.fields:
            if element.xml_name == "Header" or not isinstance(element.type, Complex):
                continue
            source = getattr(original, codec.snake(element.xml_name), None)
            if source is not None:
                setattr(
                    root, codec.snake(element.xml_name), _copy(source, element.type, class_codes)
                )
    return root


def _declaratie_antwoord(original: Any, model: Complex, class_codes: dict[int, list[str]]) -> Any:
    """IV087/IV088: the 325 carries only the refused prestaties (TR342), each with its codes,
    under their client; the granted total is the submitted total less the refused lines."""
    answer_model = _field_class(model, "DeclaratieAntwoord").__iwmo_model__
    client_model = next(f.type for f in answer_model.fields if f.xml_name == "Clienten")
    prestatie_model = next(f.type for f in client_model.fields if f.xml_name == "Prestaties")
    declaratie = original.declaratie
    own = class_codes.get(id(declaratie))
    total_type = _field_class(answer_model, "TotaalToegekendBedrag")
    submitted = _signed(declaratie.totaal_ingediend_bedrag.totaal_bedrag,
                        declaratie.totaal_ingediend_bedrag.debet_credit)  # fmt: skip
    clients, refused_sum = [], 0
    for client in declaratie.clienten:
        refused = [p for p in client.prestaties if class_codes.get(id(p))]
        client_codes = class_codes.get(id(client))
        if own or client_codes:
            refused = list(client.prestaties)  # the whole client (or declaration) is refused
        if not refused:
            continue
        prestaties = []
        for prestatie in refused:
            refused_sum += _signed(prestatie.ingediend_bedrag.bedrag,
                                   prestatie.ingediend_bedrag.debet_credit)  # fmt: skip
            copied = _copy(prestatie, prestatie_model, {})
            copied.retour_codes = list(class_codes.get(id(prestatie)) or ["0233"])
            prestaties.append(copied)
        clients.append(
            client_model.cls(
                bsn=client.bsn, prestaties=prestaties, retour_codes=list(client_codes or [OK])
            )
        )
    granted = 0 if own else submitted - refused_sum
    return answer_model.cls(
        declaratie_nummer=declaratie.declaratie_nummer,
        totaal_ingediend_bedrag=total_type(
            **dataclasses.asdict(declaratie.totaal_ingediend_bedrag)
        ),
        totaal_toegekend_bedrag=total_type(
            totaal_bedrag=abs(granted), debet_credit="C" if granted < 0 else "D"
        ),
        clienten=[] if own else clients,
        retour_codes=list(own or ([OK] if clients else [FULLY_GRANTED])),
    )


def _signed(amount: int, debet_credit: str) -> int:
    return -amount if debet_credit == "C" else amount


def _field_class(model: Complex, xml_name: str) -> type:
    return next(f.type.cls for f in model.fields if f.xml_name == xml_name)


def _copy(source: Any, model: Complex, codes: dict[int, list[str]], default=(OK,)) -> Any:
    """`source` into the retour class `model`: same-named fields copied, classes recursed,
    retour codes set where the retour class has them."""
    values = {}
    for element in model.fields:
        name = codec.snake(element.xml_name)
        if name == "retour_codes":
            values[name] = list(codes.get(id(source), default or ()))
            continue
        value = getattr(source, name, None)
        if isinstance(element.type, Complex) and value is not None:
            if element.many:
                value = [_copy(item, element.type, codes, default) for item in value]
            else:
                value = _copy(value, element.type, codes, default)
        values[name] = value
    return model.cls(**values)


def retour_codes_of(retour: Any) -> list[dict]:
    """Every class of a retour with its codes, for the message log."""
    found = []
    for path, obj in codec.walk(retour):
        codes = getattr(obj, "retour_codes", None)
        if codes:
            found.append(
                {"class": codec.class_name(obj), "path": _path(path), "codes": list(codes)}
            )
    return found


def accepted(retour: Any) -> bool:
    return all(set(entry["codes"]) <= {OK} for entry in retour_codes_of(retour))


def _path(path: tuple) -> str:
    return "/".join(name if index is None else f"{name}[{index}]" for name, index in path)
