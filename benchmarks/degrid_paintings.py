"""Does de-gridding help over several paintings? (a benchmark, not a test)

    python benchmarks/degrid_paintings.py

(JSON lines; ``benchmarks/degrid_paintings.json`` holds them, with the means per exemplar.)

``benchmarks/d_batchnorm.json``'s ``shipped-degrid`` rows judge one painting (noise seed 0)
of each shipped texture GAN de-gridded; one painting is a noisy measure (lesson 06, *One
painting is one draw*). This takes the shipped brick, grass and gravel models
(``train-texture --half train --profile cpu``), paints noise seeds 0, 1 and 2 at 512², and
judges each painting with the train half's histograms (``histograms.match``), as painted and
de-gridded with its own global code's pattern (``generate(..., degrid=True)``, what
``generate --degrid`` does), by the two-sample test against the held-out half at lesson 06's
``cpu`` settings with judge seeds 0-2 (``judge_seeds.c2st_seeds``). One JSON line per
painting: the mean accuracy of each version (lower is better) and its grid peak; the load
average when it began.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from judge_seeds import c2st_seeds  # noqa: E402

from gandetexture import exemplars, histograms, pretrained, yardstick  # noqa: E402

EXEMPLARS, PAINTINGS, SIZE, JUDGE_SEEDS = ("brick", "grass", "gravel"), (0, 1, 2), 512, 3


def main() -> None:
    print(json.dumps({"load": round(os.getloadavg()[0], 2)}), flush=True)
    for name in EXEMPLARS:
        train, held_out = yardstick.halves(exemplars.load(name), yardstick.split_axis(name))
        model = pretrained.texture(name)
        for seed in PAINTINGS:
            began = time.perf_counter()
            row = {"exemplar": name, "noise seed": seed}
            for version, degrid in (("painted", False), ("de-gridded", True)):
                image = (model.generate(SIZE, SIZE, seed=seed, degrid=degrid)[0] + 1) / 2
                matched = histograms.match(np.asarray(image, np.float32), train)
                row[version] = {"c2st + histograms": c2st_seeds(held_out, matched,
                                                                JUDGE_SEEDS)["mean"],
                                "grid": round(yardstick.grid_peak(image), 2)}
            row["seconds"] = round(time.perf_counter() - began)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
