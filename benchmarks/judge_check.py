"""What the two-sample test can and cannot see: known defects, judged (a benchmark, not a test).

    python benchmarks/judge_check.py > build/judge_check.jsonl   # then benchmarks/judge_check.json

For brick, grass and gravel: images whose defects are known by construction, each judged by
:func:`gandetexture.yardstick.two_sample_accuracy` against the held-out half at lesson 06's
``cpu`` settings (or ``--crop`` and ``--steps``) with ``--seeds`` judge seeds. The judges
recorded in ``judge_check.json`` cut each image in halves: the halves judge is ``--split
halves --steps 300``; the first judge, against the train half with 128-px crops, 100 steps
and crops not centred, is ``--split halves --against train-half --crop 128 --steps 100
--no-centre``. ``judge_checkerboard.py`` checks lesson 06's judge now. A yardstick that can
tell must score each defect well above quilting:

- ``phase-randomised``: the train half's exact power spectrum with random phases (no stones,
  no bricks, no blades: what Gram matrices and spectra cannot tell from real);
- ``phase-randomised + histograms``: the same, finished as the GAN's image is in lesson 06
  (``histograms.match``);
- ``quilting + blur``: image quilting's image through a Gaussian blur of ``σ = 1`` pixel;
- ``quilting + noise``: the same image plus Gaussian noise of ``σ = 0.05``;

beside the references ``real (held-out half)`` (the floor: against the held-out half, the
train half is judged in its place) and ``image quilting``. With ``--images``, also
every ``<exemplar>-<tag>.png`` of that folder (``benchmarks/texture_ablation.py``'s paintings)
given the train half's histograms, as ``GAN <tag> + histograms``. Prints one JSON line per
exemplar and candidate (accuracies, mean, standard deviation) and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from judge_seeds import c2st_seeds  # noqa: E402

from gandetexture import (  # noqa: E402
    baselines,
    exemplars,
    histograms,
    io,
    quilting,
    yardstick,
)


def defects(train: np.ndarray, floor: np.ndarray, size: int = 512, seed: int = 0
            ) -> dict[str, np.ndarray]:
    """The references and the defective images, ``float32 [.., .., 3] in [0, 1]``: the floor
    row's image is ``floor`` (the held-out half against the train half, the train half
    against the held-out half)."""
    quilted = quilting.quilt(train, size, seed=seed)
    side = min(size, *train.shape[:2])  # as baselines.candidates makes it
    phase = (baselines.phase_randomised(train, side, 1, seed)[0] + 1.0) / 2.0
    noise = np.random.default_rng(seed).normal(0.0, 0.05, quilted.shape)
    return {yardstick.FLOOR: floor, "image quilting": quilted,
            "phase-randomised": phase,
            "phase-randomised + histograms": histograms.match(phase, train),
            "quilting + blur": ndimage.gaussian_filter(quilted, (1.0, 1.0, 0.0)),
            "quilting + noise": np.clip(quilted + noise, 0.0, 1.0).astype(np.float32)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--exemplars", nargs="+", default=["brick", "grass", "gravel"])
    parser.add_argument("--crop", type=int, default=None, help="default: JUDGE['cpu']")
    parser.add_argument("--against", choices=["held-out", "train-half"], default="held-out",
                        help="the real texture of the test (train-half: the first judge)")
    parser.add_argument("--no-centre", action="store_true", help="as the first judge")
    parser.add_argument("--split", choices=["checkerboard", "halves"], default="checkerboard",
                        help="halves: the judges recorded in judge_check.json")
    parser.add_argument("--steps", type=int, default=None, help="default: JUDGE['cpu']")
    parser.add_argument("--images", type=Path, default=None,
                        help="also judge this folder's <exemplar>-<tag>.png, with histograms")
    parser.add_argument("--only-images", action="store_true", help="skip the defects")
    args = parser.parse_args()
    old = args.against == "train-half"  # the first judge: its cut, uncentred crops
    for name in args.exemplars:
        axis = yardstick.split_axis(name)
        train, held_out = yardstick.halves(exemplars.load(name), axis)
        real, floor = (train, held_out) if old else (held_out, train)
        images = {} if args.only_images else defects(train, floor)
        for path in sorted(args.images.glob(f"{name}-*.png")) if args.images else []:
            tag = path.stem[len(name) + 1:]
            images[f"GAN {tag} + histograms"] = histograms.match(io.load_image(path), train)
        for label, image in images.items():
            row = {"exemplar": name, "candidate": label, "crop": args.crop, "steps": args.steps,
                   "against": args.against, "centre": not args.no_centre,
                   "split": args.split,
                   **c2st_seeds(real, image, args.seeds, args.crop, args.steps,
                                axis if old else None, not args.no_centre, args.split),
                   "load": round(os.getloadavg()[0], 2)}
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
