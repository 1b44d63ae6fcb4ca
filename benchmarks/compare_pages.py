"""Compare the page images of two builds: per page, the share of pixels that differ.

Run with ``.venv/bin/python benchmarks/compare_pages.py BEFORE AFTER [--resolution 60]``,
where BEFORE and AFTER are folders holding the same packs' PDFs (``boardpack build … --out``).
Each PDF is rendered to PNG with poppler's ``pdftoppm`` (Debian package poppler-utils), and
each page is compared with the page of the same number: the share of its pixels whose colour
differs by more than ``--tolerance`` (0–255, on any channel) is printed, with the box that
holds every differing pixel (in millimetres from the page's top left corner), so that a
change can be found on the page. A pack whose page count changed is reported as such.
``--diff DIR`` also writes, for each differing page, the two images and their difference.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops

_MM_PER_INCH = 25.4


def render(pdf: Path, folder: Path, resolution: int) -> list[Path]:
    """The page images of ``pdf`` (PNG at ``resolution`` dpi), in page order."""
    prefix = folder / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", str(pdf), str(prefix)], check=True)
    # pdftoppm pads page numbers to the width of the last one: sorting by number is safe.
    return sorted(folder.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def differing(before: Image.Image, after: Image.Image, tolerance: int) -> tuple[float, tuple[int, int, int, int] | None]:
    """The share of pixels differing by more than ``tolerance`` and the box around them."""
    if before.size != after.size:
        return 1.0, (0, 0, *before.size)
    delta = np.asarray(ImageChops.difference(before.convert("RGB"), after.convert("RGB"))).max(axis=2)
    mask = delta > tolerance
    if not mask.any():
        return 0.0, None
    rows, columns = np.nonzero(mask)
    return float(mask.mean()), (int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1)


def main() -> int:
    """Print, per pack and page, the share of differing pixels; the exit code is 0."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--resolution", type=int, default=60, help="dpi of the page images (default 60)")
    parser.add_argument("--tolerance", type=int, default=0, help="colour difference ignored, 0-255 (default 0)")
    parser.add_argument("--diff", type=Path, help="folder receiving the differing pages' images")
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm introuvable : installez poppler-utils (apt-get install poppler-utils).", file=sys.stderr)
        return 2
    names = sorted({p.name for p in args.before.glob("*.pdf")} | {p.name for p in args.after.glob("*.pdf")})
    mm = _MM_PER_INCH / args.resolution
    total_pages = changed_pages = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            if not (args.before / name).exists() or not (args.after / name).exists():
                print(f"{name}: only in {'after' if (args.after / name).exists() else 'before'}")
                continue
            folders = [Path(scratch) / side / Path(name).stem for side in ("before", "after")]
            for folder in folders:
                folder.mkdir(parents=True)
            pages_before = render(args.before / name, folders[0], args.resolution)
            pages_after = render(args.after / name, folders[1], args.resolution)
            count = f"{len(pages_before)} pages" if len(pages_before) == len(pages_after) else \
                f"{len(pages_before)} pages before, {len(pages_after)} after"
            print(f"{name}: {count}")
            for number, (old, new) in enumerate(zip(pages_before, pages_after), start=1):
                with Image.open(old) as image_before, Image.open(new) as image_after:
                    share, box = differing(image_before, image_after, args.tolerance)
                    total_pages += 1
                    if box is None:
                        print(f"  page {number:>2}  identical")
                        continue
                    changed_pages += 1
                    left, top, right, bottom = (round(v * mm) for v in box)
                    print(f"  page {number:>2}  {100 * share:6.2f} % of pixels differ, "
                          f"within x {left}-{right} mm, y {top}-{bottom} mm")
                    if args.diff:
                        args.diff.mkdir(parents=True, exist_ok=True)
                        stem = f"{Path(name).stem}-{number:02d}"
                        image_before.save(args.diff / f"{stem}-before.png")
                        image_after.save(args.diff / f"{stem}-after.png")
                        ImageChops.invert(ImageChops.difference(
                            image_before.convert("RGB"), image_after.convert("RGB"))).save(args.diff / f"{stem}-diff.png")
    print(f"{changed_pages} of {total_pages} compared pages differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
