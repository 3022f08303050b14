"""Does the remover do better when it sees RTV's output? (a benchmark, not a test)

    python benchmarks/remover_guided.py --out benchmarks/remover_guided.json

RTV, tuned on the photograph benchmark's validation split, is the classic the network has to
beat there, and it generalises from one photograph to the next where the network, trained on
procedural pictures only, does not always. This gives lesson 05's U-Net RTV's output as three
more input channels and makes its output RTV's plus a learned correction (the residual head
starts at zero, so before training the network *is* RTV): the network only has to learn
where RTV is wrong. RTV costs about 20 ms per 64² crop on this machine, too slow to run on
every training batch, so ``--pool`` training pairs are drawn once from lesson 05's stream
(``removal.training_data``), RTV is run on each (``smoothing.rtv`` with the shipped
benchmark settings, ``pretrained.filters()``), and training draws batches from that pool
under random flips and quarter turns (applied to image, guide and target together). The
rest is the course recipe under ``cpu``: ``--steps`` steps, the generator's cosine decay,
L1 × 100 and the PatchGAN judging (textured, candidate) pairs. Scored as
``remover_ablation.py`` scores a variant (its ``photo_scores``: 48 pairs of each benchmark
split at 128², the plain network; RTV runs on each image first), beside RTV's own scores.
One JSON row, appended to ``--out``, with the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
from remover_ablation import photo_scores, write  # noqa: E402

from gandetexture import (  # noqa: E402
    config,
    networks,
    pretrained,
    removal,
    smoothing,
    training,
)
from gandetexture.steps import make_step  # noqa: E402


def rtv_guide(images: np.ndarray, params: dict) -> np.ndarray:
    """RTV of ``float32 [N, H, W, 3] in [-1, 1]``, in [-1, 1]."""
    return (smoothing.rtv((np.asarray(images) + 1) / 2, **params) * 2 - 1).astype(np.float32)


class Guided:
    """The trained network as ``inference.predict`` calls a generator: ``[B, H, W, 3]`` in
    [-1, 1] in, RTV computed first, the network's structure out."""

    def __init__(self, core: keras.Model, params: dict):
        self.core, self.params = core, params

    def __call__(self, images: tf.Tensor, training: bool = False) -> tf.Tensor:
        both = tf.concat([images, rtv_guide(images.numpy(), self.params)], -1)
        return self.core(both, training=training)[..., 3:]


def pool(profile: config.Profile, size: int, params: dict, seed: int) -> np.ndarray:
    """``size`` pairs of the training stream with RTV's output: ``[size, S, S, 9]`` =
    textured, guide, structure, each in [-1, 1]."""
    stream, parts = iter(removal.training_data(profile, seed)), []
    while sum(len(p) for p in parts) < size:
        textured, structure = (x.numpy() for x in next(stream))
        parts.append(np.concatenate([textured, rtv_guide(textured, params), structure], -1))
    return np.concatenate(parts)[:size]


def batches(stack: np.ndarray, batch_size: int, seed: int) -> tf.data.Dataset:
    def turn(x):  # the same flip and quarter turn for image, guide and target
        x = tf.image.random_flip_left_right(x, seed=seed)
        return tf.image.rot90(x, tf.random.uniform([], 0, 4, tf.int32, seed=seed))

    return (tf.data.Dataset.from_tensor_slices(stack).repeat().shuffle(4096, seed=seed)
            .map(turn).batch(batch_size, drop_remainder=True)
            .map(lambda x: (x[..., :6], x[..., 6:])).prefetch(4))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--pool", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="JSON list to append rows to")
    args = parser.parse_args()
    profile = config.resolve_profile("cpu")
    params = pretrained.filters()["tuned"]["benchmark"]["rtv"]["params"]
    config.set_seed(args.seed)
    began = time.perf_counter()
    stack = pool(profile, args.pool, params, args.seed)
    pool_s = time.perf_counter() - began

    keras.backend.clear_session()
    core = networks.build_unet_generator(profile.remover_width, profile.depth, residual=True,
                                         channels=6, global_context=True)
    discriminator = networks.build_patchgan_discriminator(
        profile.remover_width, networks.patchgan_layers(profile.depth))
    g_opt, d_opt = removal.optimizers(args.steps)
    image = keras.Input((None, None, 6))
    generator = keras.Model(image, core(image)[..., 3:])  # RTV's channels + the correction
    step = make_step(generator, discriminator, g_opt, d_opt, loss="nonsaturating",
                     inputs=lambda batch, key: (batch[0], batch[1], batch[0][..., :3]),
                     l1_weight=100.0)
    began = time.perf_counter()
    training.fit(step, batches(stack, profile.remover_batch_size, args.seed), args.steps,
                 progress=False)
    train_s = time.perf_counter() - began

    guided = Guided(core, params)

    def rtv_alone(images: tf.Tensor, training: bool = False) -> tf.Tensor:
        return tf.constant(rtv_guide(images.numpy(), params))  # scored the same way

    row = {"variant": "RTV's output as input, residual around it", "steps": args.steps,
           "seed": args.seed, "pool": args.pool, "rtv": params,
           "pool_s": round(pool_s, 1), "train_s": round(train_s, 1),
           **{split: photo_scores(guided, split) for split in ("val", "test")},
           "rtv_alone": {split: photo_scores(rtv_alone, split)
                         for split in ("val", "test")},
           "load": round(os.getloadavg()[0], 2)}
    write(row, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
