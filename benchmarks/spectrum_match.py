"""Does the exemplar's power spectrum help the GAN's paintings? (a benchmark, not a test)

    python benchmarks/spectrum_match.py --out benchmarks/spectrum_match.json

The two-sample test tells a blurred painting from real at once (a Gaussian blur of σ = 0.6 px
takes grass from about 0.6 to 0.94), so how much detail each scale holds matters to it.
``histograms.match`` gives the painting the exemplar's pixel and band histograms;
``histograms.match(..., spectrum=True)`` first gives it the exemplar's radially averaged
power spectrum (``histograms.match_spectrum``). This paints noise seeds ``--paintings`` of
each shipped texture GAN (brick, grass, gravel: ``train-texture --half train --profile
cpu``) at 512², de-gridded with each painting's own code (``generate(..., degrid=True)``),
and judges both versions against the held-out half (``judge_seeds.c2st_seeds``, lesson 06's
``cpu`` judge, judge seeds 0-2), beside image quilting of the train half with
``--quilting`` seeds. Lower is better. Writes one JSON object: a row per painting, the means
per exemplar, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from judge_seeds import c2st_seeds, finish  # noqa: E402

from gandetexture import exemplars, histograms, pretrained, quilting, yardstick  # noqa: E402

EXEMPLARS, SIZE, JUDGE_SEEDS = ("brick", "grass", "gravel"), 512, 3


def paint(model, seed: int, codes: np.ndarray | None = None) -> np.ndarray:
    """Noise seed ``seed``'s ``SIZE²`` painting (global ``codes`` if given, else as drawn),
    de-gridded with its own code: ``float32 [SIZE, SIZE, 3] in [0, 1]``."""
    image = model.generate(SIZE, SIZE, seed=seed, global_noise=codes, degrid=True)[0]
    return np.asarray((image + 1) / 2, np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paintings", type=int, default=6)
    parser.add_argument("--quilting", type=int, default=3)
    parser.add_argument("--exemplars", nargs="+", default=list(EXEMPLARS), choices=EXEMPLARS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    began_all, load = time.perf_counter(), os.getloadavg()[0]
    rows, means = [], {}
    for name in args.exemplars:
        train, held_out = yardstick.halves(exemplars.load(name), yardstick.split_axis(name))
        model = pretrained.texture(name)
        for seed in range(args.paintings):
            image = paint(model, seed)
            row = {"exemplar": name, "noise seed": seed}
            for version, spectrum in (("histograms", False), ("spectrum + histograms", True)):
                matched = histograms.match(image, train, spectrum=spectrum)
                row[version] = c2st_seeds(held_out, matched, JUDGE_SEEDS)["mean"]
            print(json.dumps(row), flush=True)
            rows.append(row)
        for seed in range(args.quilting):
            quilt = quilting.quilt(train, SIZE, seed=seed)
            row = {"exemplar": name, "quilting seed": seed,
                   "image quilting": c2st_seeds(held_out, quilt, JUDGE_SEEDS)["mean"]}
            print(json.dumps(row), flush=True)
            rows.append(row)
        mine = [r for r in rows if r["exemplar"] == name]
        means[name] = {key: round(float(np.mean([r[key] for r in mine if key in r])), 3)
                       for key in ("histograms", "spectrum + histograms", "image quilting")}
        means[name]["paired difference"] = round(float(np.mean(
            [r["spectrum + histograms"] - r["histograms"] for r in mine if "histograms" in r])),
            3)
        means[name]["lower with the spectrum"] = sum(
            r["spectrum + histograms"] < r["histograms"] for r in mine if "histograms" in r)
    record = {"source": "python benchmarks/spectrum_match.py " + " ".join(sys.argv[1:]),
              "measure": "mean over judge seeds 0-2 of the two-sample accuracy against the "
                         "held-out half (lesson 06's cpu judge); lower is better",
              "machine": f"2 cores, load {load:.2f} when it began",
              "seconds": round(time.perf_counter() - began_all), "rows": rows, "means": means}
    return finish(record, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
