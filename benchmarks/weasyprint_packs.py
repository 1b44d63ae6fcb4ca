"""WeasyPrint's CPU seconds per demo pack for several versions of the packs' HTML, side by side.

On a shared machine one timing run says little: this script lays out and writes each
version's packs in turn (in alternate order), round after round in one process, and keeps
each pack's lowest CPU time, so that every version meets the same load. To compare a change:

    .venv/bin/python benchmarks/weasyprint_packs.py --save /tmp/html-before   # before the change
    .venv/bin/python benchmarks/weasyprint_packs.py --save /tmp/html-after    # after it
    .venv/bin/python benchmarks/weasyprint_packs.py /tmp/html-before /tmp/html-after --runs 5

``--save DIR`` writes the HTML of the demo build's four packs (``build(write=False)``) to
DIR. The font subsetter (HarfBuzz or fontTools) is the same for every version of a run: set
``LD_LIBRARY_PATH`` to a folder holding libharfbuzz-subset.so.0, or not, to measure each.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path


def save(folder: Path) -> None:
    """Write the demo packs' HTML to ``folder/<audience>.html``."""
    import boardpack
    from boardpack.build import build
    from boardpack.config import load_config

    folder.mkdir(parents=True, exist_ok=True)
    config = load_config(Path(boardpack.__file__).parent / "demo" / "config.toml")
    for key, html in build(config, write=False).html.items():
        (folder / f"{key}.html").write_text(html, encoding="utf-8")
    print(f"HTML of {len(list(folder.glob('*.html')))} packs written to {folder}")


def measure(folders: list[Path], runs: int) -> None:
    """Print, per version and pack, the lowest CPU seconds of layout and writing over ``runs``."""
    from weasyprint import HTML
    from weasyprint.text.ffi import harfbuzz_subset

    from boardpack.render.templates import BUILTIN_TEMPLATES

    packs = sorted(path.stem for path in folders[0].glob("*.html"))
    best: dict[tuple[str, str], tuple[float, float, int]] = {}
    for run in range(runs):
        for folder in folders if run % 2 == 0 else folders[::-1]:  # no version always goes first
            for pack in packs:
                html = (folder / f"{pack}.html").read_text(encoding="utf-8")
                gc.collect()
                started = time.process_time()
                document = HTML(string=html, base_url=str(BUILTIN_TEMPLATES)).render()
                laid_out = time.process_time()
                size = len(document.write_pdf())
                trial = (laid_out - started, time.process_time() - laid_out, size)
                old = best.get((str(folder), pack), trial)
                best[(str(folder), pack)] = (min(old[0], trial[0]), min(old[1], trial[1]), size)
    subsetter = "HarfBuzz" if harfbuzz_subset is not None else "fontTools"
    print(f"WeasyPrint CPU seconds per pack, lowest of {runs} interleaved run(s), fonts subset by {subsetter}")
    for folder in folders:
        print(f"{folder}:")
        totals = [0.0, 0.0]
        for pack in packs:
            layout, writing, size = best[(str(folder), pack)]
            totals = [totals[0] + layout, totals[1] + writing]
            print(f"  {pack:<12} layout {layout:5.2f}  writing {writing:5.2f}  total {layout + writing:5.2f}"
                  f"   {size / 1024:4.0f} KiB")
        print(f"  {'total':<12} layout {totals[0]:5.2f}  writing {totals[1]:5.2f}  total {sum(totals):5.2f}")


def main() -> None:
    """Save the demo HTML, or measure saved versions."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path, help="folders of pack HTML to measure")
    parser.add_argument("--save", type=Path, help="write the demo packs' HTML to this folder")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.save:
        save(args.save)
    if args.folders:
        measure(args.folders, args.runs)
    elif not args.save:
        parser.error("nothing to do: give --save DIR or folders of HTML")


if __name__ == "__main__":
    main()
