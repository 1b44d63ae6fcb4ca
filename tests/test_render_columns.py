"""Two-column formula lists split by the template: the estimate, its sizes, and the layout it gives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from boardpack.formatting import Formatter
from boardpack.render import columns
from boardpack.render.columns import entry_lines, second_column_start, split_index
from boardpack.render.templates import BUILTIN_TEMPLATES, make_environment

STYLE = BUILTIN_TEMPLATES.parent / "themes" / "default" / "style.css"
FONT = "DejaVu Sans"

# DejaVu Sans advance widths (font units, 2048 to the em): "0" 1303, space 651. At 7.5 pt a
# "0" is 7.5 * 1303 / 2048 pt = 1.683 mm; ten of them 16.83 mm; "0000000000 0000000000"
# 7.5 * (20 * 1303 + 651) / 2048 pt = 34.51 mm.
TEN = "0000000000"


def test_lines_wrap_at_spaces_with_the_font_widths() -> None:
    """Two ten-digit words (34.51 mm) take one line at 35 mm, two at 34 mm; three take two at 35."""
    assert entry_lines(f"{TEN} {TEN}", 35, FONT) == 1
    assert entry_lines(f"{TEN} {TEN}", 34, FONT) == 2
    assert entry_lines(f"{TEN} {TEN} {TEN}", 35, FONT) == 2
    assert entry_lines(f"{TEN}  \n {TEN}", 35, FONT) == 1  # white space collapses as in HTML
    assert entry_lines("", 35, FONT) == 0


def test_lines_break_after_a_hyphen_but_not_at_a_no_break_space() -> None:
    """At 20 mm, "abcdefghij" (10698 units: 13.82 mm) hyphenated to itself takes two lines; a
    hyphen before a digit, or a no-break space, joins what it separates: one (overflowing) line,
    as WeasyPrint sets it."""
    assert entry_lines("abcdefghij-abcdefghij", 20, FONT) == 2
    assert entry_lines(f"abcdefghij-{TEN}", 20, FONT) == 1
    assert entry_lines(f"{TEN}\u00a0{TEN}", 20, FONT) == 1
    assert entry_lines(f"{TEN}\u202f{TEN}", 20, FONT) == 1


@pytest.mark.parametrize(("heights", "index"), [
    ([3, 2, 2, 3, 2, 2, 3], 4),  # total 17: after 3 or after 4 entries the taller column is 10: the first takes 4
    ([1, 1, 1, 1], 2),
    ([5, 1, 1, 1], 1),  # the first entry alone is as tall as the three others together
    ([1, 1, 1, 5], 3),
    ([2, 7], 1),
])
def test_split_is_where_balanced_columns_turn(heights: list[float], index: int) -> None:
    """The second column starts where the taller column is lowest, the first taking all it can."""
    assert split_index(heights) == index


def test_no_split_for_one_entry_or_a_list_taller_than_the_limit() -> None:
    """One entry: no second column. Forty entries of a one-line term and a four-line definition
    (40 * (5 * 3.70 + 2) mm / 2 = 410 mm a column) exceed 120 mm: WeasyPrint balances them."""
    assert second_column_start([("Terme", "définition")], FONT) is None
    long = " ".join([TEN] * 16)  # four words a line at 82 mm (69.9 mm; five: 87.5 mm)
    assert entry_lines(long, 82, FONT) == 4
    assert second_column_start([("Terme", long)] * 40, FONT) is None
    assert second_column_start([("Terme", long)] * 4, FONT) == 2


def _declarations(css: str, selector: str) -> str:
    found = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert found, selector
    return found.group(1)


def test_sizes_copied_from_the_stylesheet_match_it() -> None:
    """The estimate's page margins, font size, line height, column gap, indent and entry gap
    are those of the default theme's style.css."""
    css = STYLE.read_text(encoding="utf-8")
    assert "margin: 22mm 16mm 20mm 16mm;" in _declarations(css, "@page")
    assert columns._PAGE_WIDTH_MM == 210 - 16 - 16
    assert "line-height: 1.4;" in _declarations(css, "html") and columns._LINE_HEIGHT == 1.4
    formulas = _declarations(css, "dl.formulas")
    assert "font-size: 7.5pt;" in formulas and columns._FONT_SIZE_PT == 7.5
    assert "columns: 2;" in formulas and "column-gap: 8mm;" in formulas and columns._COLUMN_GAP_MM == 8
    assert "padding: 0 0 2mm 0;" in _declarations(css, "dl.formulas .formula") and columns.ENTRY_GAP_MM == 2
    assert "margin: 0 0 0 3mm;" in _declarations(css, "dl.formulas dd") and columns._DEFINITION_INDENT_MM == 3


# The banker's pack's ratio definitions (eleven entries of one to seven lines).
RATIOS = [
    ("DSO (délai clients)", "créances clients TTC en fin de période (soldes débiteurs 411, 413, 416, 418) / "
     "ventes TTC facturées sur la période (débits des comptes 41, hors à-nouveaux) × nombre de jours de la période"),
    ("DSCR (couverture du service de la dette)", "(EBE − impôt sur les bénéfices) / (capital remboursé + intérêts "
     "payés) sur la période, échéances tirées du jeu « loans »"),
    ("Ratio d'endettement (gearing)", "dettes financières (emprunts 16–17, comptes courants 455, concours bancaires "
     "courants) / capitaux propres, en fin de période"),
    ("Autonomie financière", "capitaux propres / total du bilan × 100, en fin de période"),
    ("Ratio de liquidité générale", "actif circulant (stocks, créances, VMP, disponibilités, charges constatées "
     "d'avance) / passif circulant (dettes d'exploitation + dettes sur immobilisations + autres dettes + concours "
     "bancaires courants, soldes créditeurs 51 + produits constatés d'avance), en fin de période ; les échéances à "
     "moins d'un an des emprunts n'y sont pas"),
    ("Capacité de remboursement", "dettes financières en fin de période / CAF des 12 derniers mois (méthode "
     "additive), en années"),
    ("Dette nette / EBE", "(dettes financières − disponibilités, soldes débiteurs 51, 53, 54, 58) en fin de période / "
     "EBE des 12 derniers mois ; négatif quand la trésorerie dépasse les dettes"),
    ("Charges financières / EBE", "charges financières (66, 686) / EBE × 100 sur la période"),
    ("Marge de cash-flow", "FTE / CA × 100 sur la période"),
    ("Couverture de la dette par le FCF", "free cash flow des 12 derniers mois / dette nette en fin de période × 100 ; "
     "dette nette = dettes financières − disponibilités (soldes débiteurs 51, 53, 54, 58) ; non disponible sans "
     "dette nette"),
    ("Créances clients à plus de 90 jours", "créances TTC ouvertes en fin de période émises plus de 90 jours avant "
     "cette date / créances TTC ouvertes en fin de période × 100 ; créance ouverte = facture de vente émise au plus "
     "tard en fin de période et non encaissée à cette date (encaissée après, ou sans date d'encaissement ni statut "
     "paid ; avoirs en négatif) ; ventilation : montant TTC à plus de 90 jours par client"),
]

# The list as the templates write it (bank_ratios.html), after ``filler_mm`` of other content.
PAGE = """<html><head><style>:root {{ --font-body: "DejaVu Sans"; --font-heading: "DejaVu Sans"; }}</style>
<link rel="stylesheet" href="{css}"></head><body><section class="section">
<div style="height: {filler_mm}mm"></div><h2>Mode de calcul</h2>
{{% set second = second_column(rows, "label", "formula", "DejaVu Sans") if split else none %}}
<div class="formulas-block{{% if second is not none %}} split{{% endif %}}"><dl class="formulas">
{{% for row in rows %}}<div class="formula{{% if loop.index0 == second %}} column-start{{% endif %}}">\
<dt>{{{{ row.label }}}}</dt><dd>{{{{ row.formula }}}}</dd></div>{{% endfor %}}</dl></div>
</section></body></html>"""


def _terms(split: bool, filler_mm: int) -> tuple[str, list[tuple[int, float, float]], int]:
    """The page's HTML, the (page, x, y) of each term once laid out and the heading's page."""
    from weasyprint import HTML

    env = make_environment([], Formatter("fr", "EUR"))
    rows = [{"label": label, "formula": formula} for label, formula in RATIOS]
    html = env.from_string(PAGE.format(css=STYLE.as_uri(), filler_mm=filler_mm)).render(rows=rows, split=split)
    document = HTML(string=html, base_url=str(BUILTIN_TEMPLATES)).render()

    def boxes(box: Any) -> Iterator[Any]:
        yield box
        for child in getattr(box, "children", None) or []:
            yield from boxes(child)

    terms, heading = {}, 0
    for number, page in enumerate(document.pages, start=1):
        for box in boxes(page._page_box):
            if box.element_tag == "dt" and box.element not in terms:
                terms[box.element] = (number, round(box.position_x, 1), round(box.position_y, 1))
            heading = heading or (number if box.element_tag == "h2" else 0)
    return html, list(terms.values()), heading


def test_split_list_is_laid_out_as_balanced_columns_were() -> None:
    """The eleven ratio definitions split by the template (five in the first column, as balanced
    columns put them) land exactly where WeasyPrint's balanced columns put each term."""
    html, split, _ = _terms(split=True, filler_mm=0)
    assert html.count("column-start") == 1 and "formulas-block split" in html
    _, balanced, _ = _terms(split=False, filler_mm=0)
    assert split == balanced
    assert [x for _, x, _ in split].count(split[0][1]) == 5


def test_split_list_that_does_not_fit_moves_whole_to_the_next_page() -> None:
    """After 150 mm of other content the list (about 100 mm) does not fit: it goes over to the
    next page with its heading, still in its two columns (five terms, then six)."""
    _, terms, heading = _terms(split=True, filler_mm=150)
    assert heading == 2
    assert {page for page, _, _ in terms} == {2}
    lefts = sorted({x for _, x, _ in terms})
    assert len(lefts) == 2
    assert [x for _, x, _ in terms].count(lefts[0]) == 5
