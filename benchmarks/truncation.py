"""Global codes pulled towards the mean: does the truncation trick help? (a benchmark)

    python benchmarks/truncation.py --out benchmarks/truncation.json

Paints the same noise seeds of the same shipped models as ``benchmarks/spectrum_match.py``
(512², de-gridded with each painting's own code) with their global codes pulled towards the
mean code by ``--psi`` (``latent.truncated_codes``; the local noise as drawn), gives each the
train half's spectrum and histograms (``histograms.match(..., spectrum=True)``) and judges it
against the held-out half as that benchmark does (three judge seeds). Its rows are read beside
``spectrum_match.json``'s, painting by painting. Lower is better.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from judge_seeds import c2st_seeds, finish  # noqa: E402
from spectrum_match import EXEMPLARS, JUDGE_SEEDS, paint  # noqa: E402

from gandetexture import exemplars, histograms, latent, pretrained, yardstick  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--psi", type=float, default=0.5)
    parser.add_argument("--paintings", type=int, default=6)
    parser.add_argument("--exemplars", nargs="+", default=list(EXEMPLARS), choices=EXEMPLARS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    began, load = time.perf_counter(), os.getloadavg()[0]
    rows = []
    for name in args.exemplars:
        train, held_out = yardstick.halves(exemplars.load(name), yardstick.split_axis(name))
        model = pretrained.texture(name)
        for seed in range(args.paintings):
            codes = latent.truncated_codes(model.config, 1, seed, args.psi)
            matched = histograms.match(paint(model, seed, codes), train, spectrum=True)
            row = {"exemplar": name, "noise seed": seed, "psi": args.psi,
                   "spectrum + histograms": c2st_seeds(held_out, matched, JUDGE_SEEDS)["mean"]}
            print(json.dumps(row), flush=True)
            rows.append(row)
    record = {"source": "python benchmarks/truncation.py " + " ".join(sys.argv[1:]),
              "machine": f"2 cores, load {load:.2f} when it began",
              "seconds": round(time.perf_counter() - began), "rows": rows}
    return finish(record, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
