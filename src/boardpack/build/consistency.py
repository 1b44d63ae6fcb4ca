"""Read a built pack back and find where it contradicts itself (issue 13).

The checker works on the text a reader sees (the PDF's text, read with pypdf), not on what the
build meant to write, and reports:

* ``two_values`` — one KPI over one window quoted with two different values (« DSO (mois) :
  66 j » here, « DSO (mois) : 75 j » there), compared at the precision each is shown with
  (« 1,82 M€ » agrees with « 1 815 598 € »);
* ``two_statuses`` — one KPI over one window shown with two statuses;
* ``direction`` — a sentence whose change contradicts the figures it quotes (« 66 j, −11,5 %
  sur un an (59 j en N-1) »), whose status contradicts the threshold it names (« alerte … seuil
  de vigilance »), or which puts a figure on the wrong side of its threshold (« 58 j, au-dessus
  du seuil de 60 j »);
* ``language`` — template text of the other language: a French phrase of the built-in templates,
  sections, KPIs or alerts in an English pack, and the reverse.

Figures are recognised in the forms the built-in sections write them: « label (fenêtre) :
valeur », « label sur 12 mois glissants à fin octobre 2026 : valeur » and the KPI tiles (label,
window and status, value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "Finding",
    "check_pdf",
    "check_text",
    "kpi_labels",
    "language_markers",
    "pdf_text",
]

#: Window words as packs write them → window kind.
_WINDOWS = {
    "fr": {"mois": "month", "sur le mois": "month", "cumul exercice": "ytd",
           "depuis le début de l'exercice": "ytd", "12 derniers mois": "ltm", "12 mois glissants": "ltm",
           "sur 12 mois glissants": "ltm", "exercice": "fy", "sur l'exercice": "fy"},
    "en": {"month": "month", "for the month": "month", "year to date": "ytd", "last 12 months": "ltm",
           "over the last twelve months": "ltm", "fiscal year": "fy", "for the fiscal year": "fy"},
}
_STATUSES = {"fr": {"ok": "ok", "à surveiller": "warn", "alerte": "alert"},
             "en": {"ok": "ok", "watch": "warn", "alert": "alert"}}

#: A figure as the formatter writes it: French « 1 234 567 € », « 1,82 M€ », « 12,5 % », « 76 j »
#: (narrow no-break space between thousands, no-break space before the unit); English
#: « €1,234,567 », « €1.82M », « 12.5% », « 76 days ».
_VALUES = {
    "fr": "[−+\\-]?\\d{1,3}(?:\u202f\\d{3})*(?:,\\d+)?(?:[\u00a0 ](?:M€|k€|€|%|pts|j|ans)(?!\\w))?(?!\\d|,\\d)",
    "en": "[−+\\-]?€?\\d{1,3}(?:,\\d{3})*(?:\\.\\d+)?(?:[kM](?![a-z]))?(?:%|[\u00a0 ](?:pts|days|years)(?!\\w))?(?!\\d|\\.\\d)",
}


@dataclass(frozen=True)
class Finding:
    """One contradiction found in a pack: its kind, and a sentence saying what and where."""

    kind: str
    message: str


def pdf_text(path: Path) -> str:
    """The text of every page of the PDF at ``path``, in page order."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _plain(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2011", "-")


@dataclass(frozen=True)
class _Amount:
    """A figure as shown: its value and the precision (half a unit of its last digit) it has."""

    value: Decimal
    tolerance: Decimal
    unit: str

    def agrees(self, other: _Amount) -> bool:
        if self.unit and other.unit and self.unit != other.unit:
            return False
        return abs(self.value - other.value) <= max(self.tolerance, other.tolerance) + Decimal("0.000001")


def _amount(text: str, language: str) -> _Amount | None:
    """Parse « 1 815 598 € », « 1,82 M€ », « 76 j », « −2,0 pts », « €1.2M » into an amount."""
    raw = text.replace("\u202f", "").replace("\u00a0", " ").strip().replace("−", "-")
    unit = ""
    for suffix in ("M€", "k€", "€", "%", "pts", "j", "days", "ans", "years"):
        if raw.endswith(suffix):
            unit, raw = suffix, raw[: -len(suffix)].strip()
            break
    if raw.startswith("€") or raw.startswith("-€"):
        negative = raw.startswith("-")
        raw = raw.lstrip("-").lstrip("€")
        unit = "€"
        if raw.endswith(("M", "k")):
            unit, raw = raw[-1] + "€", raw[:-1]
        raw = ("-" if negative else "") + raw
    if language == "fr":
        digits = raw.replace(" ", "").replace(",", ".")
    else:
        digits = raw.replace(",", "").replace(" ", "")
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    exponent = number.as_tuple().exponent
    step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    scale = {"M€": Decimal(1_000_000), "k€": Decimal(1000)}.get(unit, Decimal(1))
    kind = "€" if unit in ("€", "k€", "M€") else unit
    return _Amount(number * scale, step * scale / 2, kind)


@lru_cache(maxsize=1)
def _template_pairs() -> tuple[tuple[str, str], ...]:
    """Every (French, English) pair of the built-in templates, sections, KPIs and alerts."""
    root = Path(__file__).resolve().parent.parent
    files = [*root.glob("templates/**/*.html"), *root.glob("default_plugins/**/*.py"),
             root / "formatting.py", root / "api" / "kpis.py"]
    quoted = r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\''
    call = re.compile(rf"\bt\(\s*f?(?:{quoted})\s*,\s*f?(?:{quoted})\s*\)", re.S)
    mapping = re.compile(r'"fr":\s*f?"((?:[^"\\]|\\.)*)"\s*,\s*"en":\s*f?"((?:[^"\\]|\\.)*)"', re.S)
    pairs = []
    for file in files:
        source = file.read_text(encoding="utf-8")
        for match in call.finditer(source):
            fr = match.group(1) if match.group(1) is not None else match.group(2)
            en = match.group(3) if match.group(3) is not None else match.group(4)
            pairs.append((fr, en))
        pairs += [(m.group(1), m.group(2)) for m in mapping.finditer(source)]
    pairs += list(_catalogue_pairs())
    return tuple(pairs)


def _catalogue_pairs() -> list[tuple[str, str]]:
    """The (French, English) entries of the English message catalogue (the templates' ``_()``)."""
    from babel.messages.pofile import read_po

    from ..i18n import CATALOGUES

    path = CATALOGUES / "en" / "LC_MESSAGES" / "boardpack.po"
    if not path.is_file():
        return []
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    return [(str(m.id), str(m.string)) for m in catalog if m.id and m.string and isinstance(m.id, str)]


def _fragments(text: str) -> list[str]:
    """The literal pieces of a template string, placeholders ({…}, {{ … }}, %s) taken out."""
    pieces = re.split(r"\{\{.*?\}\}|\{[^{}]*\}|%[sd]|\\n|\\u[0-9a-fA-F]{4}", text)
    return [" ".join(p.split()).strip(" ,;:.()«»—-") for p in pieces]


@lru_cache(maxsize=1)
def _french_only() -> tuple[str, ...]:
    """The French reasons of the built-in KPIs, sections and charts (``Unavailable("…")``), which
    an English pack must translate rather than show."""
    root = Path(__file__).resolve().parent.parent
    files = [*root.glob("default_plugins/**/*.py"), *root.glob("api/*.py"), root / "build" / "pack.py"]
    raised = re.compile(r'Unavailable\(\s*f?"((?:[^"\\]|\\.)*)"')
    return tuple(m.group(1) for file in files for m in raised.finditer(file.read_text(encoding="utf-8")))


@lru_cache(maxsize=2)
def language_markers(language: str) -> tuple[str, ...]:
    """Phrases of the *other* language's template text that must not appear in a ``language``
    pack: the pieces of every built-in (French, English) pair that differ between the two, of
    three words or more (and, for an English pack, of the built-in French reasons)."""
    own, other = (0, 1) if language == "fr" else (1, 0)
    owned = set()
    for pair in _template_pairs():
        owned.update(_fragments(pair[own]))
    candidates = [pair[other] for pair in _template_pairs() if pair[0] != pair[1]]
    if language == "en":
        candidates += list(_french_only())
    markers = set()
    for text in candidates:
        for piece in _fragments(text):
            if len(piece.split()) >= 3 and len(piece) >= 14 and piece not in owned:
                markers.add(_plain(piece))
    if language == "en":
        markers.add("historique insuffisant")
    return tuple(sorted(markers))


def _flat(text: str) -> str:
    """The text on one line: line breaks and runs of ordinary spaces as one space; the no-break
    spaces of figures kept."""
    text = _plain(text)
    text = re.sub(r"-\n(?=[a-zà-ÿ])", "", text)
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _facts(text: str, language: str, headlines: Mapping[str, str]) -> list[tuple[str, str, str, str | None]]:
    """(label, window kind, value text, status) of every KPI figure quoted in a recognised form;
    ``headlines`` maps each KPI label to its headline window (the one a figure quoted without
    its window is on)."""
    labels = list(headlines)
    windows = _WINDOWS[language]
    statuses = _STATUSES[language]
    _VALUE = _VALUES[language]
    window_words = "|".join(sorted((re.escape(w) for w in windows), key=len, reverse=True))
    status_words = "|".join(re.escape(s) for s in statuses)
    sep = r"\s?:\s" if language == "fr" else r":\s"
    found = []
    flat = _flat(text)
    for label in sorted(labels, key=len, reverse=True):
        name = re.escape(_plain(label))
        flat_before = flat
        # « label (window) : value » and « label sur … à fin octobre 2026 : value »
        patterns = [
            rf"(?<![\w(]){name} \((?P<w>{window_words})\){sep}(?P<v>{_VALUE})(?P<rest>[^.]*?\.)?\s?(?P<s>{status_words})?(?=\d|\s|$)",
            rf"(?:{name}{sep}(?P<s>{status_words}) )?(?<![\w(]){name} (?P<w>{window_words}) (?:à fin|at the end of) "
            rf"[\wéû.]+ \d{{4}}{sep}(?P<v>{_VALUE})",
        ]
        if headlines.get(label):
            synthesis = rf"(?P<s>{status_words}) {name} (?:de|of) (?P<v>{_VALUE})(?=,| \(|\.| au| sous| above| below)"
            for match in re.finditer(synthesis, flat):
                found.append((label, headlines[label], match.group("v").strip(), statuses[match.group("s")]))
        for pattern in patterns:
            for match in re.finditer(pattern, flat):
                status = match.groupdict().get("s")
                found.append((label, windows[match.group("w")], match.group("v").strip(),
                              statuses.get(status) if status else None))
        # the KPI table: « label [status] month Δ ytd Δ budget gap ltm »
        cell = rf"(?:{_VALUE}|—|n\.d\.|n/a|non disponible|unavailable)"
        delta = rf"(?:[+−]{_VALUE}|0(?:[,.]0)?[\u00a0 ]pts|—)"
        row = re.compile(rf"(?<![\w(]){name} (?P<m>{cell})(?: (?P<sm>{status_words}))? (?:{delta}) "
                         rf"(?P<y>{cell})(?: (?P<sy>{status_words}))? (?:{delta}) (?:{cell}) (?:{delta}) "
                         rf"(?P<l>{cell})(?: (?P<sl>{status_words}))?(?= |$)")
        for match in row.finditer(flat):
            for group, window in (("m", "month"), ("y", "ytd"), ("l", "ltm")):
                if _amount(match.group(group), language) is not None:
                    status = match.group("s" + group)
                    found.append((label, window, match.group(group), statuses.get(status) if status else None))
        # the banker's ratio table: « label period value ≤ alert ≤ watch margin status »
        ratio = re.compile(rf"(?<![\w(]){name} (?P<p>[\wéû.]+ \d{{2}} – [\wéû.]+ \d{{2}}|[\wéû]+ \d{{4}}|"
                           rf"[\wéû.]+–[\wéû]+ \d{{4}}) (?:≈[\u00a0 ])?(?P<v>{_VALUE})(?: \((?:estimation|estimate)\))? (?:[≤≥][\u00a0 ])?(?:{cell}) (?:[≤≥][\u00a0 ])?(?:{cell}) (?:{cell}) "
                           rf"(?P<s>{status_words})(?= |$)")
        for match in ratio.finditer(flat):
            period = match.group("p")
            window = "ltm" if " – " in period else "ytd" if "–" in period else "month"
            found.append((label, window, match.group("v"), statuses[match.group("s")]))
        # tiles: « label \n window [status] \n value »
        lines = [_plain(line).strip() for line in text.splitlines()]
        for index, line in enumerate(lines[:-2]):
            if line != _plain(label):
                continue
            head = re.fullmatch(rf"(?P<w>{window_words})(?: (?P<s>{status_words}))?", lines[index + 1])
            value = re.match(rf"(?P<v>{_VALUE})", lines[index + 2])
            if head and value:
                status = head.group("s")
                found.append((label, windows[head.group("w")], value.group("v").strip(),
                              statuses.get(status) if status else None))
        # a longer label holding this one (« Dette nette / EBE » holds « EBE ») is read once
        flat = re.sub(rf"(?<![\w(]){name}(?![\w])", "¤", flat_before)
    return found


def _direction(text: str, language: str) -> list[Finding]:
    """Sentences whose change, status or threshold side contradicts the figures they quote."""
    flat = _flat(text)
    findings = []
    _VALUE = _VALUES[language]
    if language == "fr":
        change = re.compile(rf"(?P<v>{_VALUE}), (?P<c>[+−\-]{_VALUE}) sur un an \((?P<r>{_VALUE}) en N-1\)")
        side = re.compile(rf"(?P<v>{_VALUE}), (?P<side>au-dessus du|au-dessous du|sous le) seuil "
                          rf"(?P<kind>d'alerte|de vigilance) de (?P<t>{_VALUE})")
        status_kind = re.compile(r"(?P<s>alerte|à surveiller) (?P<t>(?:(?!alerte|à surveiller|\bok\b|Marge :|[Pp]oints? forts?)[^.]){0,160}?)"
                                 r"\bseuil (?P<kind>d'alerte|de vigilance)")
    else:
        change = re.compile(rf"(?P<v>{_VALUE}), (?P<c>[+−\-]{_VALUE}) year on year \((?P<r>{_VALUE}) a year earlier\)")
        side = re.compile(rf"(?P<v>{_VALUE}), (?P<side>above|below) (?:the )?(?P<kind>alert|watch) threshold "
                          rf"(?:of )?(?P<t>{_VALUE})")
        status_kind = re.compile(r"(?P<s>alert|watch) (?P<t>(?:(?!alert|watch|\bok\b|Margin:|[Ss]trengths?)[^.]){0,160}?)"
                                 r"\b(?P<kind>alert|watch) threshold")
    for match in change.finditer(flat):
        value, moved, reference = (_amount(match.group(g), language) for g in ("v", "c", "r"))
        if value is None or moved is None or reference is None:
            continue
        real = value.value - reference.value
        if moved.value != 0 and abs(real) > value.tolerance + reference.tolerance and (real > 0) != (moved.value > 0):
            findings.append(Finding("direction", f"« {match.group(0)} » : la variation contredit les chiffres cités"))
    for match in side.finditer(flat):
        value, threshold = _amount(match.group("v"), language), _amount(match.group("t"), language)
        if value is None or threshold is None:
            continue
        above = match.group("side") in ("au-dessus du", "above")
        if (above and value.value <= threshold.value) or (not above and value.value >= threshold.value):
            findings.append(Finding("direction", f"« {match.group(0)} » : le chiffre n'est pas du côté du seuil annoncé"))
    for match in status_kind.finditer(flat):
        status, kind = match.group("s"), match.group("kind")
        alert_status = status in ("alerte", "alert")
        alert_threshold = kind in ("d'alerte", "alert")
        if alert_status != alert_threshold:
            findings.append(Finding("direction", f"« {match.group(0)} » : le statut contredit le seuil nommé"))
    return findings


def _estimate(value: str) -> str:
    """``value`` possibly shown as an estimate: « ≈ 2,79 (estimation) »."""
    return rf"(?:≈[\u00a0 ])?{value}(?: \((?:estimation|estimate)\))?"


def _counts(text: str, language: str) -> list[Finding]:
    """A count of ratios within their thresholds (« Ratios dans leurs seuils : 10 sur 12 ») that
    differs from the statuses of the ratio page (rows « value ≤ alert ≤ watch headroom status »)."""
    flat = _flat(text)
    value = _estimate(_VALUES[language])
    statuses = _STATUSES[language]
    status_words = "|".join(re.escape(s) for s in statuses)
    cell = rf"(?:[≤≥][\u00a0 ](?:{value}|—)|—)"
    rows = re.findall(rf"{value} {cell} {cell} (?:{value}|—) ({status_words})(?= |$)", flat)
    claim = (r"Ratios (?:bancaires )?dans leurs seuils : (\d+) sur (\d+)" if language == "fr"
             else r"(?:Banking r|R)atios within their thresholds: (\d+) of (\d+)")
    findings = []
    for match in re.finditer(claim, flat):
        within, total = int(match.group(1)), int(match.group(2))
        shown = (sum(statuses[s] == "ok" for s in rows), len(rows))
        if rows and (within, total) != shown:
            findings.append(Finding("count", f"« {match.group(0)} » alors que la page des ratios en montre "
                                              f"{shown[0]} sur {shown[1]} dans leurs seuils"))
    return findings


def check_text(text: str, language: str, labels: Mapping[str, str] | Iterable[str],
               name: str = "dossier") -> list[Finding]:
    """Every contradiction in the text of one pack written in ``language`` (``fr`` or ``en``);
    ``labels`` are the KPI labels in that language, each mapped to its headline window kind
    (``month``, ``ytd``, ``ltm``, ``fy``) when known."""
    headlines = dict(labels) if isinstance(labels, Mapping) else {label: "" for label in labels}
    findings: list[Finding] = []
    facts: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    for label, window, value, status in _facts(text, language, headlines):
        facts.setdefault((label, window), []).append((value, status))
    for (label, window), seen in sorted(facts.items()):
        amounts = [(v, _amount(v, language)) for v, _ in seen]
        parsed = [(v, a) for v, a in amounts if a is not None]
        for i, (text_a, a) in enumerate(parsed):
            clash = next((text_b for text_b, b in parsed[i + 1:] if not a.agrees(b)), None)
            if clash is not None:
                findings.append(Finding("two_values", f"{name} : {label} ({window}) vaut « {text_a} » et « {clash} »"))
                break
        shown = sorted({s for _, s in seen if s})
        if len(shown) > 1:
            findings.append(Finding("two_statuses", f"{name} : {label} ({window}) a deux statuts : {', '.join(shown)}"))
    findings += [Finding(f.kind, f"{name} : {f.message}") for f in _direction(text, language)]
    findings += [Finding(f.kind, f"{name} : {f.message}") for f in _counts(text, language)]
    flat = _flat(text)
    for marker in language_markers(language):
        if re.search(rf"(?<![\w']){re.escape(marker)}(?![\w'])", flat):
            other = "français" if language == "en" else "anglais"
            findings.append(Finding("language", f"{name} : texte {other} dans un dossier en {'anglais' if language == 'en' else 'français'} : « {marker} »"))
    return findings


def kpi_labels(kpis: Iterable[Any], language: str) -> dict[str, str]:
    """Each KPI's label in ``language`` → its headline window, for :func:`check_text`."""
    return {kpi.label.get(language) or kpi.label["fr"]: kpi.headline for kpi in kpis}


def check_pdf(path: Path, language: str, kpis: Iterable[Any]) -> list[Finding]:
    """:func:`check_text` on the PDF at ``path``, written in ``language``, with the KPIs ``kpis``."""
    return check_text(pdf_text(path), language, kpi_labels(kpis, language), path.name)
