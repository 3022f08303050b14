"""The two-sample test dealt out like a checkerboard: does it see what the eye sees? (a
benchmark, not a test)

    python benchmarks/judge_checkerboard.py --out benchmarks/judge_checkerboard.json

Looked at, the GAN's grass is streaks and smudges with no blades, yet the judge until now
(``split="halves"``, 300 steps) scored its paintings level with image quilting and some below
two real halves of the photograph (``spectrum_match.json``: 0.42-0.47 against 0.55). That
judge trained its classifier on one half of each image and tested on the other; a
photograph's halves differ in light and content, so the classifier learned its half of the
held-out half and then called most crops of the other half fake. This judges, for brick,
grass and gravel, against the held-out half and with judge seeds 0 to ``--seeds`` − 1:

- the references and defects of ``judge_check.py``: the floor (the train half), image
  quilting of the train half (seeds 0 to ``--quilting`` − 1), phase-randomised texture with
  the train half's histograms, quilting through a Gaussian blur of σ = 1 px;
- the GAN's best recipe of lesson 06: each shipped model's noise seeds 0 to ``--paintings``
  − 1 at 512², de-gridded, codes at psi 0.5 (``latent.truncated_codes``), finished with the
  train half's spectrum and histograms (``histograms.match(..., spectrum=True)``), as
  ``truncation.json`` made them;

with the checkerboard judge (``yardstick.JUDGE["cpu"]``: squares of 128 px dealt out
alternately, 64-px crops, 1,000 steps), and for grass also with the judge until now
(``--old-judge grass``: halves, 300 steps), each recording besides the accuracy the share of
real test crops called real and of the candidate's called fake. Lower is better. Writes one
JSON object: a row per image and judge, and the means per exemplar.
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

from judge_check import defects  # noqa: E402
from judge_seeds import c2st_seeds, finish  # noqa: E402
from spectrum_match import EXEMPLARS, paint  # noqa: E402

from gandetexture import (  # noqa: E402
    exemplars,
    histograms,
    latent,
    pretrained,
    quilting,
    yardstick,
)

CHECKERBOARD, HALVES = "checkerboard", "halves (until now)"
JUDGES = {CHECKERBOARD: {}, HALVES: {"split": "halves", "steps": 300}}
PSI = 0.5


def images(name: str, train: np.ndarray, paintings: int, quilts: int
           ) -> dict[str, tuple[str, np.ndarray]]:
    """``{label: (kind, float32 [.., .., 3] in [0, 1])}`` for one exemplar; ``kind`` groups
    the rows for the means. The floor, quilting seed 0 and the two defects are
    ``judge_check.defects``'s."""
    made_on_purpose = defects(train, train)
    quilted = [made_on_purpose["image quilting"]] + [quilting.quilt(train, 512, seed=seed)
                                                     for seed in range(1, quilts)]
    made = {yardstick.FLOOR: ("floor", made_on_purpose[yardstick.FLOOR])}
    made.update({f"image quilting, seed {seed}": ("image quilting", image)
                 for seed, image in enumerate(quilted)})
    for label in ("phase-randomised + histograms", "quilting + blur"):
        made[label] = ("defect", made_on_purpose[label])
    model = pretrained.texture(name)
    for seed in range(paintings):
        codes = latent.truncated_codes(model.config, 1, seed, PSI)
        made[f"GAN, noise seed {seed}"] = (
            "GAN", histograms.match(paint(model, seed, codes), train, spectrum=True))
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--paintings", type=int, default=6)
    parser.add_argument("--quilting", type=int, default=3)
    parser.add_argument("--exemplars", nargs="+", default=list(EXEMPLARS), choices=EXEMPLARS)
    parser.add_argument("--old-judge", nargs="*", default=["grass"], choices=EXEMPLARS,
                        help="also judge these exemplars' images with the halves judge")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    began, load = time.perf_counter(), os.getloadavg()[0]
    rows, means = [], {}
    for name in args.exemplars:
        train, held_out = yardstick.halves(exemplars.load(name), yardstick.split_axis(name))
        made = images(name, train, args.paintings, args.quilting)
        judges = [CHECKERBOARD] + [HALVES] * (name in args.old_judge)
        for judge in judges:
            for label, (kind, image) in made.items():
                row = {"exemplar": name, "judge": judge, "image": label, "kind": kind,
                       **c2st_seeds(held_out, image, args.seeds, **JUDGES[judge]),
                       "load": round(os.getloadavg()[0], 2)}
                print(json.dumps(row), flush=True)
                rows.append(row)
            mine = [r for r in rows if r["exemplar"] == name and r["judge"] == judge]
            means.setdefault(name, {})[judge] = {
                kind: round(float(np.mean([r["mean"] for r in mine if r["kind"] == kind])), 3)
                for kind in ("floor", "image quilting", "defect", "GAN")}
    record = {"source": "python benchmarks/judge_checkerboard.py " + " ".join(sys.argv[1:]),
              "measure": "two-sample accuracy against the held-out half, mean over judge "
                         f"seeds 0-{args.seeds - 1} (0.5: cannot tell; lower is better); "
                         "'real right' and 'candidate right': the share of real test crops "
                         "called real and of the candidate's called fake",
              "judges": {CHECKERBOARD: "yardstick.JUDGE['cpu']: 128-px squares dealt out "
                                       "alternately, 64-px crops, 1,000 steps",
                         HALVES: "each image cut in the middle, 64-px crops, 300 steps: "
                                 "lesson 06's judge before this benchmark"},
              "machine": f"2 cores, load {load:.2f} when it began",
              "seconds": round(time.perf_counter() - began), "rows": rows, "means": means}
    return finish(record, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
