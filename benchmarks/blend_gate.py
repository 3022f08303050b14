"""Colour casts on photographs: would the remover gain from keeping its input's local mean?
(a benchmark, not a test)

    python benchmarks/blend_gate.py --out benchmarks/blend_gate.json

On the photograph benchmark the shipped remover's largest losses to RTV are colour casts: it
brightens or saturates a muted photograph as if the texture had been *mixed* in (the ``mix``
blend pulls colours towards grey, and undoing it pushes them away), when the texture was
multiplied or added, which leaves the local mean colour as it was. This measures, on 48
pairs of each split at 128², with the shipped remover (``ensemble=8`` and its TV polish):

- ``removal.restore_local_mean`` on every image: right for the multiplied and added
  textures, wrong for the mixed ones;
- the same on the images whose texture was not mixed only, knowing the blend from the
  pairs' records: an oracle, the most a perfect chooser could gain;
- the same weighted by ``1 − P(mix)`` from a small CNN trained (``--steps`` steps of 32
  crops) on ``--pairs`` procedural pairs of lesson 05's world (``datasets.make_pairs``, 64²,
  texture scales 2-24 px): a chooser that does not know the blend.

The blur radius is chosen on validation with the oracle. Writes one JSON object to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
from keras import layers  # noqa: E402

from gandetexture import baselines, benchmark, config, datasets, metrics, pretrained, removal  # noqa: E402,E501

SIGMAS = (2.0, 4.0, 8.0, 16.0)


def mix_classifier(pairs: int, steps: int, seed: int = 0) -> tuple[keras.Model, float]:
    """A CNN that tells ``mix`` from the other blends: ``[B, H, W, 3]`` in [0, 1] -> logit of
    P(mix); trained on procedural pairs under random quarter turns. Returns it and seconds."""
    began = time.perf_counter()
    textured, _, infos = datasets.make_pairs(pairs, 64, seed, scale_range=(2.0, 24.0),
                                             return_info=True)
    labels = np.float32([info["blend"] == "mix" for info in infos])
    inputs = keras.Input((None, None, 3))
    x = layers.Rescaling(2.0, -1.0)(inputs)
    for filters in (16, 32, 64, 64):
        x = layers.LeakyReLU(0.2)(layers.Conv2D(filters, 3, strides=2, padding="same")(x))
    model = keras.Model(inputs, layers.Dense(1)(layers.GlobalAveragePooling2D()(x)))
    optimizer = keras.optimizers.Adam(1e-3)
    loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def step(images, targets):
        with tf.GradientTape() as tape:
            loss = loss_fn(targets[:, None], model(images, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    rng = np.random.default_rng(seed)
    for _ in range(steps):
        pick = rng.integers(pairs, size=32)
        step(np.rot90(textured[pick], int(rng.integers(4)), axes=(1, 2)).copy(), labels[pick])
    return model, time.perf_counter() - began


def scores(out: np.ndarray, truth: np.ndarray, infos) -> dict:
    """Mean PSNR, per blend, SSIM and colour error of ``out`` against ``truth``."""
    psnr = np.asarray(metrics.psnr(out, truth))
    return {"psnr": float(psnr.mean()),
            "blend": benchmark.breakdown(psnr, infos, "blend"),
            "ssim": float(np.mean(metrics.ssim(out, truth))),
            "colour_error": float(np.mean(metrics.colour_error(out, truth)))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--pairs", type=int, default=4096)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    config.set_seed(0)
    generator = pretrained.remover()
    polish = pretrained.metrics("remover")["benchmark"]["tuned"]["model ×8 + tv"]["params"]
    classifier, train_s = mix_classifier(args.pairs, args.steps)
    data = {}
    for split in ("val", "test"):
        textured, truth, infos = benchmark.photo_pairs(split, 48, 128, 0)
        raw = removal.remove_texture(textured, generator, ensemble=8)
        not_mix = np.float32([info["blend"] != "mix" for info in infos])
        p_mix = tf.sigmoid(classifier(textured)).numpy()[:, 0]
        data[split] = (textured, truth, infos, raw, not_mix, p_mix)
    val_t, val_s, _, val_raw, val_not_mix, _ = data["val"]
    oracle_val = {sigma: float(np.mean(metrics.psnr(baselines.tv(removal.restore_local_mean(
        val_raw, val_t, sigma, val_not_mix), **polish), val_s))) for sigma in SIGMAS}
    chosen = max(oracle_val, key=oracle_val.get)
    result = {"source": "python benchmarks/blend_gate.py" + (f" --out {args.out}" if args.out
                                                             else ""),
              "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at the end",
              "remover": "the shipped remover (pretrained.remover()), ensemble=8, then its TV "
                         f"polish {polish}",
              "sigma": chosen, "oracle_val_by_sigma": {str(k): float(v)
                                                       for k, v in oracle_val.items()},
              "classifier": {"pairs": args.pairs, "steps": args.steps,
                             "train_s": round(train_s, 1)}}
    for split, (textured, truth, infos, raw, not_mix, p_mix) in data.items():
        ways = {"network ×8 + tv": raw,
                "+ local mean, every image": removal.restore_local_mean(raw, textured, chosen),
                "+ local mean, not mixed only (oracle)": removal.restore_local_mean(
                    raw, textured, chosen, not_mix),
                "+ local mean × P(not mix)": removal.restore_local_mean(
                    raw, textured, chosen, 1 - p_mix)}
        result[split] = {name: scores(baselines.tv(out, **polish), truth, infos)
                         for name, out in ways.items()}
        result[split]["rtv"] = scores(baselines.apply("rtv", textured, **pretrained.filters()[
            "tuned"]["benchmark"]["rtv"]["params"]), truth, infos)
        result["classifier"][f"{split}_accuracy"] = float(np.mean((p_mix > 0.5) == (not_mix == 0)))
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
