"""How much of a gap in the two-sample test is the test's own noise (a benchmark, not a test).

    python benchmarks/c2st_seeds.py build/benchmarks/texture   # texture_ablation.py's images
    python benchmarks/c2st_seeds.py build/benchmarks/bn --seeds 3 --raw \
        --tags steps4000-d_batchnormTrue steps4000-d_batchnormFalse   # d_batchnorm.json
    python benchmarks/c2st_seeds.py - --seeds 3 --tags --quilting-seeds 3   # quilting's seeds

For brick, grass and gravel: the GAN image that ``benchmarks/texture_ablation.py`` painted
(``<exemplar>-default.png``, 512², the ``train-texture --profile cpu`` model), given the
train half's histograms (``histograms.match``), and image quilting of the train half (seed 0),
each judged by :func:`gandetexture.yardstick.two_sample_accuracy` against the held-out half
at lesson 06's ``cpu`` settings with ``--seeds`` judge seeds (``c2st_seeds.json`` was recorded
with the first judge, against the train half: 128-px crops, 100 steps, not centred). The
images stay the same; only the classifier's seed (weights, crops) changes. With ``--tags``,
each tag's painting is judged (quilting once per exemplar, with the first); with ``--raw``,
the painting as it is too (row ``GAN``). ``--quilting-seeds N`` judges quilting of seeds
``0 … N − 1`` (rows ``image quilting``, ``image quilting, seed 1``, …), a spread to set beside
the GAN's over its training seeds; ``--tags`` with no tag judges quilting alone (tag
``quilting-seeds``). Prints one JSON line per exemplar and tag: the
accuracies, their mean and standard deviation, for each candidate.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from judge_seeds import c2st_seeds  # noqa: E402

from gandetexture import exemplars, histograms, io, quilting, yardstick  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", type=Path, help="folder of <exemplar>-default.png")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--exemplars", nargs="+", default=["brick", "grass", "gravel"])
    parser.add_argument("--tags", nargs="*", default=["default"],
                        help="judge <exemplar>-<tag>.png (texture_ablation.py names its changes);"
                             " none: quilting only")
    parser.add_argument("--quilting-seeds", type=int, default=1,
                        help="judge image quilting of seeds 0 .. N-1 (with the first tag)")
    parser.add_argument("--raw", action="store_true",
                        help="judge the painting without histograms too")
    args = parser.parse_args()
    for name in args.exemplars:
        axis = yardstick.split_axis(name)
        train, held_out = yardstick.halves(exemplars.load(name), axis)
        for k, tag in enumerate(args.tags or [None]):
            candidates = {}
            if tag is not None:
                painted = io.load_image(args.images / f"{name}-{tag}.png")
                candidates = {"GAN": painted} if args.raw else {}
                candidates["GAN + histograms"] = histograms.match(painted, train)
            for seed in range(args.quilting_seeds if k == 0 else 0):
                label = "image quilting" + (f", seed {seed}" if seed else "")
                candidates[label] = quilting.quilt(train, 512, seed=seed)
            row = {"exemplar": name, "tag": tag or "quilting-seeds"}
            for label, image in candidates.items():
                row[label] = c2st_seeds(held_out, image, args.seeds)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
