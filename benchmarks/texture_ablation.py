"""The texture GAN's design, measured with lesson 06's yardstick (a benchmark, not a test).

    python benchmarks/texture_ablation.py brick --steps 4000                  # the cpu default
    python benchmarks/texture_ablation.py grass --steps 8000 --crop 64 --upsamplings 4 \\
        --batch-size 8                                                      # 64-px crops
    python benchmarks/texture_ablation.py gravel --steps 4000 --loss hinge    # hinge loss
    python benchmarks/texture_ablation.py gravel --steps 4000 --d-batchnorm   # the old default

Trains one spatial GAN on the train half of a bundled exemplar (``yardstick.halves``, the
split of lesson 06) under the ``cpu`` profile's configuration with the given changes, paints
one 512² image and judges it with ``yardstick.judge`` at lesson 06's ``cpu`` settings
(``texture_ablation.json`` was recorded with the first judge, whose two-sample test compared
with the train half). Prints one JSON line: training seconds, the two-sample accuracy (lower
is better; the ``floor`` is the held-out half's), the pyramid Gram distances, novelty and the
grid peak (``ref_grid``: the train half's), and ``c2st_histograms``: the two-sample accuracy of
the same image given the train half's histograms (``histograms.match``, as ``generate --match``
does). The PNG goes to ``--out``. The load average is
printed too: other work on the machine slows training down.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gandetexture import config, exemplars, histograms, io, texture, yardstick  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exemplar", choices=list(yardstick.SPLIT_AXIS))
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--crop", type=int, default=None)
    parser.add_argument("--upsamplings", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--upsample", choices=texture.UPSAMPLE, default=None)
    parser.add_argument("--d-full-res", action="store_true", default=None,
                        help="a stride-1 first layer in D (TextureConfig.d_full_res)")
    parser.add_argument("--fine-noise", type=int, default=None,
                        help="noise channels added at every scale (TextureConfig.fine_noise)")
    parser.add_argument("--loss", default=None, help="adversarial loss (losses.get)")
    parser.add_argument("--d-batchnorm", action=argparse.BooleanOptionalAction, default=None,
                        help="batch norm in D, or not (TextureConfig.d_batchnorm; off by "
                             "default since 2026-11)")
    parser.add_argument("--d-spectral-norm", action="store_true", default=None,
                        help="spectral normalisation in D (TextureConfig.d_spectral_norm)")
    parser.add_argument("--r1", type=float, default=None,
                        help="gamma of an R1 penalty in D (TextureConfig.r1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("build/benchmarks/texture"))
    args = parser.parse_args()
    changes = {k: v for k, v in {"steps": args.steps, "crop": args.crop,
                                 "upsamplings": args.upsamplings,
                                 "batch_size": args.batch_size,
                                 "fine_noise": args.fine_noise,
                                 "upsample": args.upsample,
                                 "d_full_res": args.d_full_res, "loss": args.loss,
                                 "d_batchnorm": args.d_batchnorm,
                                 "d_spectral_norm": args.d_spectral_norm,
                                 "r1": args.r1}.items() if v is not None}
    profile = config.PROFILES["cpu"]
    config.set_seed(args.seed)
    settings = texture.TextureConfig.from_profile(profile, seed=args.seed, **changes)
    axis = yardstick.split_axis(args.exemplar)
    train, held_out = yardstick.halves(exemplars.load(args.exemplar), axis)
    began = time.perf_counter()
    model = texture.train_texture(train, settings, name=args.exemplar, progress=False)
    seconds = time.perf_counter() - began
    image = (model.generate(512, 512, seed=args.seed)[0] + 1) / 2
    args.out.mkdir(parents=True, exist_ok=True)
    tag = "-".join(f"{k}{v}" for k, v in changes.items()) or "default"
    io.save_png(image, args.out / f"{args.exemplar}-{tag}.png")
    matched = histograms.match(image, train)
    table = yardstick.judge(train, held_out, {"GAN": image, "GAN + histograms": matched},
                            seed=args.seed, **yardstick.JUDGE["cpu"])
    row = table["GAN"]
    print(json.dumps({
        "exemplar": args.exemplar, "changes": changes, "train_s": round(seconds),
        "c2st": round(row["c2st"], 3), "floor": round(table[yardstick.FLOOR]["c2st"], 3),
        "c2st_histograms": round(table["GAN + histograms"]["c2st"], 3),
        "gram": [round(g, 3) for g in row["gram"]], "novelty": round(row["novelty"], 4),
        "grid": round(row["grid"], 2), "ref_grid": round(table[yardstick.REFERENCE]["grid"], 2),
        "load": round(os.getloadavg()[0], 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
