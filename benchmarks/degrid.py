"""What subtracting a texture GAN's fixed pattern changes (a benchmark, not a test).

    python -m gandetexture train-texture --exemplar gravel --half train --profile cpu \\
        --out build/benchmarks/models/gravel                         # and brick, grass
    python benchmarks/degrid.py build/benchmarks/models > benchmarks/degrid.jsonl

For each exemplar whose ``train-texture --half train`` model is in the folder (``<folder>/
<exemplar>``): one 512² painting (seed 0), as painted, de-gridded with the pattern averaged
over global codes (``TextureModel.degrid(images)``, :func:`gandetexture.texture.fixed_pattern`)
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from judge_seeds import c2st_seeds  # noqa: E402

from gandetexture import exemplars, histograms, texture, yardstick  # noqa: E402


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
        painting = model.generate(512, 512, seed=0)[0]
        began = time.perf_counter()
        painted = {"painted": painting, "de-gridded": model.degrid(painting)}  # measures it
        pattern_s = time.perf_counter() - began
        painted["de-gridded, its code"] = model.generate(512, 512, seed=0, degrid=True)[0]
        row = {"exemplar": name, "steps": model.config.steps,
               "pattern_s": round(pattern_s, 1),
               "grid": {"train half": round(yardstick.grid_peak(train), 2)}}
        for label, image in painted.items():
            image = (image + 1.0) / 2.0
            row["grid"][label] = round(yardstick.grid_peak(image), 2)
            row[f"{label} + histograms"] = c2st_seeds(
                held_out, histograms.match(image, train), args.seeds)
        row["grid_seeds"] = {"painted": [], "de-gridded": [], "de-gridded, its code": []}
        for seed in range(4):
            image = model.generate(512, 512, seed=seed)[0]
            code = texture.global_codes(model.config, 1, seed)[0]
            for label, cleaned in (("painted", image), ("de-gridded", model.degrid(image)),
                                   ("de-gridded, its code", model.degrid(image, code))):
                row["grid_seeds"][label].append(round(yardstick.grid_peak(cleaned), 2))
        row["load"] = round(os.getloadavg()[0], 2)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
