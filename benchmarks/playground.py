"""How fast lesson 09's playground answers, control by control (a benchmark, not a test).

    python benchmarks/playground.py              # 512² images, the shipped remover
    python benchmarks/playground.py --side 256 --scene "procedural pair 1"

Builds the playground of lesson 09 (``widgets.playground``) on the shipped remover, then sets
each control as a learner does (``widgets.time_controls``): ``first`` is what a new setting
costs (a new seed is quilted, a new filter setting computed), ``again`` what the same
setting costs once the playground holds it (everything but the strength, the cheap part, is
cached); then the first setting of every filter (its own time, through the drop-down; the
first image's is measured alone). Also: building the box (the first image's structure,
texture and filter) and the upload of a 77×129 grey PNG and of a 1500×1100 JPEG (shrunk to
512 on the long side), each through the upload widget with the bytes ``FileUpload`` hands
over. The target: well under a second for every ``again``, and for ``first`` wherever
nothing new has to be computed. The load average is printed with the numbers: other work on
the machine slows everything down.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import gandetexture  # noqa: E402,F401  (quiet TensorFlow first)
from gandetexture import baselines, playground, pretrained, widgets  # noqa: E402


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def upload(box, name: str, array: np.ndarray, fmt: str) -> float:
    """Seconds the upload widget takes to show ``array`` sent as a ``fmt`` file."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    value = playground.upload_value(name, buffer.getvalue())
    start = time.perf_counter()
    box.inputs["upload"].value = value
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=playground.SIDE)
    parser.add_argument("--scene", default="benchmark photograph 1")
    args = parser.parse_args(argv)

    print(f"load average before: {load()}")
    start = time.perf_counter()
    remover = pretrained.remover()
    loaded = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as out:
        pg = playground.Playground({"shipped": remover}, side=args.side, out=out,
                                   scene=args.scene)
        start = time.perf_counter()
        box = widgets.playground(pg)
        built = time.perf_counter() - start
        h, w = pg.scene.image.shape[:2]
        print(f"remover loaded in {loaded:.2f} s; {args.scene} ({w}×{h}): box built in "
              f"{built:.2f} s (structure, texture and filter of the first image)")
        print("\n| control | new value | first (s) | again (s) |\n|---|---|---|---|")
        rows = widgets.time_controls(box) + widgets.time_controls(box, [("save", None)])
        for row in rows:
            value = "click" if row["value"] is None else row["value"]
            print(f"| {row['control']} | {value} | {row['first_s']:.3f} | "
                  f"{row['again_s']:.3f} |")
        print("\n| filter (middle of its grid) | first (s) |\n|---|---|")
        for name in baselines.FILTERS:  # a new filter's first setting: the filter's own time
            if name == box.inputs["filter"].value:
                start = time.perf_counter()
                baselines.apply(name, pg.scene.image, **pg.filter_params())
                print(f"| {name} (alone, no drawing) | {time.perf_counter() - start:.3f} |")
            else:
                pg.caches["filtered"].items.clear()  # tv was visited above
                row = widgets.time_controls(box, [("filter", name)])[0]
                print(f"| {name} | {row['first_s']:.3f} |")
        print("\n| upload | file | first (s) |\n|---|---|---|")
        rng = np.random.default_rng(0)
        grey = upload(box, "grey.png", rng.integers(0, 256, (129, 77), dtype=np.uint8), "PNG")
        grey_status = box.status.value
        big = upload(box, "big.jpg", rng.integers(0, 256, (1100, 1500, 3), dtype=np.uint8),
                     "JPEG")
        print(f"| upload | 77×129 grey PNG | {grey:.3f} |\n"
              f"| upload | 1500×1100 JPEG | {big:.3f} |")
        print(f"\nstatus after the PNG: {grey_status}\nstatus after the JPEG: "
              f"{box.status.value}")
        slow = [r for r in rows if r["again_s"] >= 0.5]
        print(f"\nload average after: {load()}; controls at or over 0.5 s once cached: "
              f"{', '.join(r['control'] for r in slow) or 'none'}")
        return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
