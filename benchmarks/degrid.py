"""What subtracting a texture GAN's fixed pattern changes (a benchmark, not a test).

    python -m gandetexture train-texture --exemplar gravel --half train --profile cpu \\
        --out build/benchmarks/models/gravel                         # and brick, grass
    python benchmarks/degrid.py build/benchmarks/models > benchmarks/degrid.jsonl

For each exemplar whose ``train-texture --half train`` model is in the folder (``<folder>/
<exemplar>``): one 512² painting (seed 0), as painted, de-gridded with the pattern averaged
over global codes (``TextureModel.degrid(images)``, :func:`gandetexture.degrid.fixed_pattern`)
and with its own global code's pattern (``degrid(images, code)``, what ``generate --degrid``
does), each also given the train half's histograms (``histograms.match``, as ``generate --match``
does). Prints one JSON line per exemplar: the grid peak of each image and of the train half,
the seconds ``fixed_pattern`` took (the average pattern), the grid peaks of four paintings
(seeds 0-3) de-gridded each way (``grid_seeds``), and the two-sample accuracy against the
held-out half at lesson 06's ``cpu`` settings (``degrid.json`` was recorded with the first
judge, against the train half) with ``--seeds`` judge seeds (the images fixed; mean,
standard deviation) for the images with histograms, as ``benchmarks/c2st_seeds.py`` judges them. The
load average is printed too.
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

from judge_seeds import c2st_seeds  # noqa: E402

from gandetexture import degrid, exemplars, histograms, texture, yardstick  # noqa: E402


def versions(model: texture.TextureModel, seed: int) -> dict[str, np.ndarray]:
    """One 512² painting of ``seed``: as painted, less the average pattern, less its code's."""
    image = model.generate(512, 512, seed=seed)[0]
    code = texture.global_codes(model.config, 1, seed)[0]
    return {"painted": image, "de-gridded": model.degrid(image),
            "de-gridded, its code": model.degrid(image, code)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, help="folder of <exemplar> run folders")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--exemplars", nargs="+", default=["brick", "grass", "gravel"])
    args = parser.parse_args()
    for name in args.exemplars:
        model = texture.load_texture_model(args.models / name)
        axis = yardstick.split_axis(name)
        train, held_out = yardstick.halves(exemplars.load(name), axis)
        began = time.perf_counter()
        model.pattern = degrid.fixed_pattern(model.generator, model.config)  # the average
        pattern_s = time.perf_counter() - began
        paintings = [versions(model, seed) for seed in range(4)]
        row = {"exemplar": name, "steps": model.config.steps,
               "pattern_s": round(pattern_s, 1),
               "grid": {"train half": round(yardstick.grid_peak(train), 2)},
               "grid_seeds": {label: [round(yardstick.grid_peak(images[label]), 2)
                                      for images in paintings] for label in paintings[0]}}
        for label, image in paintings[0].items():  # seed 0's, judged
            row["grid"][label] = row["grid_seeds"][label][0]
            row[f"{label} + histograms"] = c2st_seeds(
                held_out, histograms.match((image + 1.0) / 2.0, train), args.seeds)
        row["load"] = round(os.getloadavg()[0], 2)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
