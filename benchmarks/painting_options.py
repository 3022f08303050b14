"""Can painting alone close gravel's gap to image quilting? (a benchmark, not a test)

    python benchmarks/painting_options.py --runs build/benchmarks/gravel-runs
    python benchmarks/painting_options.py --runs ... --seeds 0 --options plain recalibrated

Takes the ``train-texture --profile cpu`` recipe on gravel's train half for training seeds
0, 1 and 2 (seed 0 is the shipped model, ``gandetexture/models/gravel``; the others are
trained into ``--runs`` when missing, about 6 minutes each on 2 cores) and changes only how
each model paints its 512² image, no training:

- ``plain``: :func:`gandetexture.texture.generate`, seed 0 (as lesson 06 paints).
- ``margin``: one noise cell more on every side, then the middle 512² (no image border,
  where mirror padding shows; the noise field, so the painting, differs too).
- ``recalibrated``: the batch norms' statistics recomputed for the averaged generator's own
  weights (BigGAN's "standing statistics": the averaged weights with the statistics of the
  training weights do not match): each layer's input mean and variance over 64 batches of
  4 fields of 4 × 4 cells (the training crops' size), layer by layer.
- ``recalibrated + margin``.
- ``psi 0.8``, ``psi 0.6``: the truncation trick, the local noise scaled by ψ (the global
  code unchanged), so fewer rare, extreme draws.
- ``noise seed 1``, ``noise seed 2``: plain, with another seed: how far one painting's score
  is from another's of the same model.

Each painting is judged by the two-sample test against the held-out half, as painted and
given the train half's histograms (``histograms.match``), with judge seeds 0-2
(``judge_seeds.c2st_seeds``), and its grid peak. One JSON line per model and option.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
from judge_seeds import c2st_seeds  # noqa: E402

from gandetexture import config, exemplars, histograms, texture, yardstick  # noqa: E402

SHIPPED = Path(__file__).resolve().parents[1] / "gandetexture" / "models" / "gravel"
OPTIONS = ("plain", "margin", "recalibrated", "recalibrated + margin", "psi 0.8", "psi 0.6",
           "noise seed 1", "noise seed 2")


def model_for(seed: int, runs: Path, train: np.ndarray) -> texture.TextureModel:
    """The recipe's gravel model of training seed ``seed`` (0: the shipped one)."""
    if seed == 0:
        return texture.load_texture_model(SHIPPED)
    folder = runs / f"gravel-recipe-s{seed}"
    if not (folder / "model.keras").exists():
        config.set_seed(seed)
        settings = texture.TextureConfig.from_profile(config.PROFILES["cpu"], seed=seed)
        texture.train_texture(train, settings, out=folder, name="gravel", progress=False)
    return texture.load_texture_model(folder)


def recalibrate(generator: keras.Model, settings: texture.TextureConfig, batches: int = 64,
                cells: int = 4, batch: int = 4) -> None:
    """Set every batch norm's moving mean and variance to its input's, averaged over
    ``batches`` batches of noise, layer by layer (each layer measured with the ones before
    it already set)."""
    norms = [layer for layer in generator.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    probe = keras.Model(generator.input, [layer.input for layer in norms])
    for k, norm in enumerate(norms):
        mean, variance = 0.0, 0.0
        for b in range(batches):
            noise = texture.sample_noise(batch, cells, cells, settings, seed=1000 + b)
            x = probe(noise, training=False)[k]
            mean += tf.reduce_mean(x, [0, 1, 2]) / batches
            variance += tf.math.reduce_variance(x, [0, 1, 2]) / batches
        norm.moving_mean.assign(mean)
        norm.moving_variance.assign(variance)


def paint(model: texture.TextureModel, margin: int = 0, psi: float = 1.0, seed: int = 0
          ) -> np.ndarray:
    """One 512² painting of noise seed ``seed``, in [0, 1], with ``margin`` cells more on each
    side (cut away) and the local noise scaled by ``psi``."""
    settings, s = model.config, model.config.scale
    if psi == 1.0:
        side = 512 + 2 * margin * s
        image = texture.generate(model.generator, settings, side, side, seed=seed)[0]
    else:
        n = 512 // s + 2 * margin
        noise = texture.sample_noise(1, n, n, settings, seed=seed)
        noise = tf.concat([noise[..., :settings.cell_channels] * psi,
                           noise[..., settings.cell_channels:]], -1)
        image = model.generator(noise, training=False).numpy()[0]
    image = image[margin * s:margin * s + 512, margin * s:margin * s + 512]
    return (image + 1) / 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=Path("build/benchmarks/gravel-runs"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--options", nargs="+", choices=OPTIONS, default=list(OPTIONS))
    args = parser.parse_args()
    train, held_out = yardstick.halves(exemplars.load("gravel"), yardstick.split_axis("gravel"))
    for seed in args.seeds:
        model = model_for(seed, args.runs, train)
        paintings = {"plain": paint(model), "margin": paint(model, 1),
                     "psi 0.8": paint(model, psi=0.8), "psi 0.6": paint(model, psi=0.6),
                     "noise seed 1": paint(model, seed=1), "noise seed 2": paint(model, seed=2)}
        recalibrate(model.generator, model.config)  # after the others: it changes the model
        paintings["recalibrated"] = paint(model)
        paintings["recalibrated + margin"] = paint(model, 1)
        for option in args.options:
            image = paintings[option]
            began = time.perf_counter()
            row = {"seed": seed, "option": option, "grid": round(yardstick.grid_peak(image), 2),
                   "GAN": c2st_seeds(held_out, image, 3),
                   "GAN + histograms": c2st_seeds(held_out, histograms.match(image, train), 3)}
            print(json.dumps({**row, "judge_s": round(time.perf_counter() - began)}),
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
