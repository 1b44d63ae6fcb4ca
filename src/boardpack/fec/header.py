"""The FEC header: which field is which, and which canonical ``entries`` column it feeds.

Names are matched whatever their case, spaces or underscores (``MontantDevise``,
``Montantdevise``, ``ECRITURE_DATE``). Either ``Debit``/``Credit`` or ``Montant``/``Sens``
carry the amounts (arrêté du 29 juillet 2013, art. A.47 A-1). Extra trailing columns
(``DateRglt``, ``ModeRglt``, ``NatOp``, ``IdClient`` of the BNC/BA regimes, or anything
else) are accepted and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import DataError

__all__ = ["CANONICAL", "FEC_FIELDS", "Layout", "read_header"]

#: The 18 fields of the arrêté, as spelt there, with the canonical column each one feeds
#: (``None``: read but not kept; ``amount``/``direction`` are the Montant/Sens variant).
FEC_FIELDS: dict[str, str | None] = {
    "JournalCode": "journal",
    "JournalLib": "journal_label",
    "EcritureNum": "entry_id",
    "EcritureDate": "date",
    "CompteNum": "account",
    "CompteLib": "account_label",
    "CompAuxNum": "aux_account",
    "CompAuxLib": "aux_label",
    "PieceRef": "piece_ref",
    "PieceDate": "piece_date",
    "EcritureLib": "label",
    "Debit": "debit",
    "Credit": "credit",
    "EcritureLet": "lettering",
    "DateLet": "lettering_date",
    "ValidDate": "valid_date",
    "Montantdevise": None,
    "Idevise": None,
}
_VARIANT = {"Montant": "amount", "Sens": "direction"}
#: Fields without which no ledger can be built: their absence means "not a FEC".
ESSENTIAL = ("JournalCode", "EcritureNum", "EcritureDate", "CompteNum")
#: The columns of :class:`FecFile.entries`, in the order of the ``entries`` dataset, then extras.
CANONICAL = (
    "date", "journal", "journal_label", "entry_id", "account", "account_label", "aux_account",
    "aux_label", "piece_ref", "piece_date", "label", "debit", "credit", "lettering",
    "lettering_date", "valid_date",
)
TEXT_COLUMNS = ("journal", "journal_label", "entry_id", "account", "account_label", "aux_account",
                "aux_label", "piece_ref", "label", "lettering")
DATE_COLUMNS = ("date", "piece_date", "lettering_date", "valid_date")


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name.lstrip("\ufeff")).casefold()


_KNOWN = {_key(n): n for n in (*FEC_FIELDS, *_VARIANT)}


@dataclass(frozen=True)
class Layout:
    """Where each FEC field sits in the lines of one file."""

    #: ``"Debit/Credit"`` or ``"Montant/Sens"``
    kind: str
    #: 0-based field position of each field used, by canonical column (``amount``, ``direction``
    #: in the Montant/Sens variant)
    positions: dict[str, int]
    #: the header's own spelling of each used field, by canonical column (for messages)
    names: dict[str, str]
    #: fields of the arrêté absent from the header (only non-essential ones can be)
    missing: tuple[str, ...]
    #: header names that are not FEC fields, kept in :attr:`FecFile.columns` only
    extra: tuple[str, ...]


def read_header(file_name: str, header: list[str]) -> Layout:
    """Map the header's names to canonical columns.

    :raises DataError: when the line is not a FEC header, names a field twice, or lacks an
        essential field (the message lists every mandatory field missing).
    """
    found: dict[str, int] = {}
    spelling: dict[str, str] = {}
    extra: list[str] = []
    for position, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff").strip()
        official = _KNOWN.get(_key(name))
        if official is None:
            extra.append(name)
            continue
        if official in found:
            raise DataError(f"{file_name}, ligne 1 : la colonne « {name} » figure deux fois dans l'en-tête")
        found[official] = position
        spelling[official] = name
    if not any(name in found for name in ESSENTIAL):
        shown = ", ".join(f"« {n} »" for n in header[:3] if n.strip())
        raise DataError(
            f"{file_name}, ligne 1 : ce n'est pas un en-tête de FEC ({shown or 'ligne vide'}…) ; "
            "les noms de champs JournalCode, JournalLib, EcritureNum… sont attendus"
        )
    variant = "Montant" in found and "Sens" in found and not ("Debit" in found and "Credit" in found)
    kind = "Montant/Sens" if variant else "Debit/Credit"
    mandatory = [n for n in FEC_FIELDS if not (variant and n in ("Debit", "Credit"))]
    if variant:
        mandatory[11:11] = ["Montant", "Sens"]
    missing = [n for n in mandatory if n not in found]
    essential = [*ESSENTIAL, *(("Montant", "Sens") if variant else ("Debit", "Credit"))]
    if any(n in missing for n in essential):
        raise DataError(
            f"{file_name}, ligne 1 : en-tête de FEC incomplet, champ(s) obligatoire(s) absent(s) : "
            + ", ".join(missing)
        )
    columns = {**FEC_FIELDS, **_VARIANT}
    canonical = {n: c for n in found if (c := columns[n]) is not None}
    positions = {canonical[n]: found[n] for n in canonical}
    names = {canonical[n]: spelling[n] for n in canonical}
    if variant:
        for unused in ("debit", "credit"):
            positions.pop(unused, None)
            names.pop(unused, None)
    return Layout(kind=kind, positions=positions, names=names, missing=tuple(missing), extra=tuple(extra))
