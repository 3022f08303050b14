"""What moves the remover on the photograph benchmark: short runs of variants (a benchmark).

    python benchmarks/remover_ablation.py --steps 2000 --out benchmarks/remover_ablation.json
    python benchmarks/remover_ablation.py --variants "SSIM term 20" --seed 1 --out ...
    python benchmarks/remover_ablation.py --shipped --out ...   # the shipped remover, scored
    python benchmarks/remover_ablation.py --variants "width 12" --steps 14000 --out ...

Each variant trains lesson 05's remover under ``cpu`` for ``--steps`` steps (the cosine decay
of the learning rate fitted to that length) with one change, and scores the plain network on
48 pairs of each split of the photograph benchmark at 128² (``benchmark.photo_pairs``): the
``val`` split (other photographs, other real textures), by which a change is chosen, and the
``test`` split, the benchmark itself; PSNR (mean over images), SSIM, colour error, PSNR per
blend and per texture source, and PSNR of the network's output on the clean structures
themselves (what it does to an image without texture). Also the procedural test split at 64²
(lesson 05's). One JSON row per run is appended to ``--out``, with the load average.

The rows at the full length (8000 steps, or more for the narrower network) were run one at
a time on the 2-core machine: ``--variants V --steps 8000``, each against the shipped row.

Variants the package offers are its options (``train_remover(ssim_weight=...)``); the others
(data and architectures the package does not offer) are swapped in for the one run, here.
``--shipped`` trains nothing: it scores the remover shipped with the package (the course
recipe at the ``cpu`` profile's full length) the same way, as the row to compare full-length
runs with.

``--as-shipped RUN`` trains nothing either: ``RUN`` is a ``train-remover`` run folder of the
first of ``--variants`` (made by the package's command with that change, at ``--steps`` and
``--seed``), and its row gets an ``as_shipped`` block beside the shipped remover's: the
scores ``train-remover`` records (the procedural test split, the real textures, the 128²
benchmark with the self-ensemble and the TV polish) and the 512² benchmark as lesson 07
scores it (6 test images, ×8 + tv). That is how a candidate for the shipped remover is judged
on everything the shipped one is.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
from keras import layers  # noqa: E402

from gandetexture import (  # noqa: E402
    baselines,
    benchmark,
    config,
    datasets,
    losses,
    metrics,
    networks,
    pretrained,
    removal,
    structures,
)
from gandetexture.inference import predict  # noqa: E402


def gaussian_taps(sigma: float) -> np.ndarray:
    """The 1-D Gaussian of ``sigma`` px out to ``int(3 · sigma)`` px each side, summing to 1:
    ``float32 [2 · int(3 · sigma) + 1]``."""
    radius = int(3 * sigma)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    return (taps / taps.sum()).astype(np.float32)


class RelativeGradients(layers.Layer):
    """RTV's windowed measures as input features: for each Gaussian window ``σ``, the
    windowed gradient over the windowed gradient magnitude on each axis (near 1 across a
    structure edge, near 0 inside a texture whose gradients cancel) and the log of the
    windowed magnitude, of the grey image. ``[B, H, W, 3]`` → ``[B, H, W, 3 · len(sigmas)]``."""

    def __init__(self, sigmas: tuple[float, ...] = (1.0, 3.0), **kwargs):
        super().__init__(**kwargs)
        self.sigmas = sigmas

    def call(self, images):
        grey = tf.reduce_mean(images, -1, keepdims=True)
        gx, gy = grey - tf.roll(grey, 1, 2), grey - tf.roll(grey, 1, 1)
        features = []
        for sigma in self.sigmas:
            taps = gaussian_taps(sigma)

            def blur(x, taps=taps):
                x = tf.nn.conv2d(x, taps.reshape(1, -1, 1, 1), 1, "SAME")
                return tf.nn.conv2d(x, taps.reshape(-1, 1, 1, 1), 1, "SAME")

            dx, dy = blur(tf.abs(gx)), blur(tf.abs(gy))
            features += [tf.abs(blur(gx)) / (dx + 1e-2), tf.abs(blur(gy)) / (dy + 1e-2),
                         tf.math.log(dx + dy + 1e-3) / 4.0]
        return tf.concat(features, -1)


def relative_gradient_remover(profile: config.Profile, residual: bool = True,
                              global_context: bool = True):
    """The course's U-Net given the image and its :class:`RelativeGradients` (9 channels in;
    the first 3 out are the structure)."""
    discriminator = networks.build_patchgan_discriminator(
        profile.remover_width, networks.patchgan_layers(profile.depth))
    image = keras.Input((None, None, 3))
    both = layers.Concatenate()([image, RelativeGradients()(image)])
    core = networks.build_unet_generator(profile.remover_width, profile.depth, residual,
                                         channels=9, global_context=global_context)
    return keras.Model(image, core(both)[..., :3]), discriminator


def grey_banks(fraction: float) -> Callable:
    """``datasets._stream_banks`` with the first ``fraction`` of its textures made grey (the
    benchmark's real textures are grey)."""
    plain = datasets._stream_banks

    def banks(*args, **kwargs):
        structures, textures = plain(*args, **kwargs)
        textures = textures.copy()
        textures[:round(fraction * len(textures))] = \
            textures[:round(fraction * len(textures))].mean(-1, keepdims=True)
        return structures, textures
    return banks


def stream(size: int | None = None, batch_size: int | None = None,
           bank_size: int | None = None, **options) -> Callable:
    """``removal.training_data`` with other :func:`datasets.pair_stream` options (and crops
    of ``size`` in batches of ``batch_size`` from banks of ``bank_size`` instead of the
    profile's)."""
    def training_data(profile: config.Profile, seed: int = 0) -> tf.data.Dataset:
        return datasets.pair_stream(size or profile.image_size,
                                    batch_size or profile.remover_batch_size, seed=seed,
                                    bank_size=bank_size or profile.bank_size,
                                    scale_range=removal.TRAIN_SCALES, **options)
    return training_data


def denser_shapes(size: int, n_shapes: tuple[int, int]) -> Callable:
    """``structures.make_structures`` drawing ``n_shapes`` shapes in images of ``size`` (the
    training crops; other sizes, such as the evaluation splits', unchanged)."""
    plain = structures.make_structures

    def make(n, image_size, seed, kind="shapes", **options):
        if image_size == size and kind == "shapes":
            options = {"n_shapes": n_shapes, **options}
        return plain(n, image_size, seed, kind, **options)
    return make


def narrower(width: int) -> Callable:
    """``networks.build_remover`` at base width ``width`` instead of the profile's."""
    plain = networks.build_remover

    def build(profile: config.Profile, **options):
        return plain(dataclasses.replace(profile, remover_width=width), **options)
    return build


def unet_depth(depth: int) -> Callable:
    """``networks.build_remover`` with a U-Net of ``depth`` levels (the discriminator as the
    profile's)."""
    plain = networks.build_remover

    def build(profile: config.Profile, **options):
        generator, _ = plain(dataclasses.replace(profile, depth=depth), **options)
        return generator, plain(profile, **options)[1]
    return build


def local_mean_squared(sigma: float = 4.0, weight: float = 5.0) -> Callable:
    """``losses.l1`` replaced by L1 on the error less its Gaussian blur (``sigma`` px) plus
    ``weight`` × the squared blurred error: the local mean colour fitted by squares. On a
    photograph the right local mean can be two things (a texture mixed in pulls the colours
    to grey, one multiplied or added does not); squares fit the mean of the two, which is
    what PSNR rewards, where L1 fits the median, one or the other. At an error of 0.1 (of
    the [-1, 1] range) the two terms pull equally hard for ``weight`` 5."""
    taps = gaussian_taps(sigma)
    radius = len(taps) // 2

    def blur(x: tf.Tensor) -> tf.Tensor:  # mirrored borders, each channel on its own
        channels = x.shape[-1]
        x = tf.pad(x, [[0, 0], [radius, radius], [radius, radius], [0, 0]], mode="REFLECT")
        for shape in ((-1, 1, 1, 1), (1, -1, 1, 1)):
            kernel = np.tile(taps.reshape(shape), (1, 1, channels, 1))
            x = tf.nn.depthwise_conv2d(x, kernel, [1, 1, 1, 1], "VALID")
        return x

    def loss(prediction, target):
        error = tf.convert_to_tensor(prediction, tf.float32) - tf.cast(target, tf.float32)
        low = blur(error)
        return tf.reduce_mean(tf.abs(error - low)) + weight * tf.reduce_mean(tf.square(low))
    return loss


#: name → (train_remover keyword arguments, {(module, attribute): replacement})
VARIANTS: dict[str, tuple[dict, dict]] = {
    "course recipe": ({}, {}),
    "SSIM term 20": ({"ssim_weight": 20.0}, {}),
    "SSIM term 60": ({"ssim_weight": 60.0}, {}),
    "amplitudes from 0": ({}, {(removal, "training_data"): stream(amplitude=(0.0, 0.5))}),
    "flattened structures": ({}, {(removal, "training_data"): stream(structures="flattened")}),
    # one more level: the bottleneck of a 64² crop 2² instead of 4², a wider view for as
    # little arithmetic as a level at that size costs
    "U-Net depth 5": ({}, {(networks, "build_remover"): unet_depth(5)}),
    # twice the structures and textures to combine (the bank is drawn before training starts)
    "banks of 4096": ({}, {(removal, "training_data"): stream(bank_size=4096)}),
    # about half the arithmetic per step, so about twice the steps in the same time
    "width 12": ({}, {(networks, "build_remover"): narrower(12)}),
    "mixed structures": ({}, {(removal, "training_data"): stream(structures="mixed")}),
    "half the textures grey": ({}, {(datasets, "_stream_banks"): grey_banks(0.5)}),
    # half the training structures' fills muted (photographs are mostly muted)
    "half the fills muted": ({}, {(removal, "TRAIN_MUTED"): 0.5}),
    # the local mean colour fitted by squares, the rest by L1 (pix2pix's L1 × 100 otherwise)
    "squares on the local mean": ({}, {(losses, "l1"): local_mean_squared()}),
    "relative-gradient inputs": ({}, {(networks, "build_remover"):
                                      relative_gradient_remover}),
    # the same pixels per step as the recipe (64² × 16), in larger crops: a 24-px texture
    # then holds five periods of a crop instead of under three
    "128-px crops, batch 4": ({}, {(removal, "training_data"): stream(128, 4)}),
    # as many shapes per 64² of crop as the recipe's 2-6 in 64² crops
    "128-px crops, batch 4, 8-24 shapes": ({}, {(removal, "training_data"): stream(128, 4),
                                                (structures, "make_structures"):
                                                denser_shapes(128, (8, 24))}),
}


@contextlib.contextmanager
def swapped(replacements: dict) -> Iterator[None]:
    saved = {key: getattr(*key) for key in replacements}
    for (module, name), value in replacements.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)


def photo_scores(generator: keras.Model, split: str, seed: int = 0) -> dict:
    textured, structure, infos = benchmark.photo_pairs(split, 48, 128, seed)
    out = predict(generator, textured)
    psnr = metrics.psnr(out, structure)
    row = {**metrics.image_scores(out, structure),
           "colour_error": float(np.mean(metrics.colour_error(out, structure))),
           "clean_psnr": metrics.image_scores(predict(generator, structure), structure)["psnr"]}
    for key in ("blend", "source"):
        row[key] = benchmark.breakdown(psnr, infos, key=key)
    return row


@functools.cache
def big_test() -> tuple[np.ndarray, np.ndarray, float]:
    """The 512² benchmark images :func:`as_shipped` scores (6 of the test split), their
    structures, and RTV's mean PSNR on them with the shipped settings (the same for every
    run, so worked out once)."""
    big_t, big_s, _ = benchmark.photo_pairs("test", 6, 512, 0)
    rtv = baselines.apply("rtv", big_t, **pretrained.filters()["tuned"]["benchmark"]["rtv"]
                          ["params"])
    return big_t, big_s, float(np.mean(metrics.psnr(rtv, big_s)))


def as_shipped(run: Path) -> dict:
    """A ``train-remover`` run's scores as the shipped remover's are reported: what its
    ``metrics.json`` holds, and the 512² benchmark (:func:`big_test`) with the self-ensemble
    and the run's TV polish, against RTV with the shipped settings."""
    record = json.loads((run / "metrics.json").read_text())
    generator = removal.load_remover(run)
    bench = record["benchmark"]
    polish = bench["tuned"]["model ×8 + tv"]["params"]
    big_t, big_s, rtv_psnr = big_test()
    big = baselines.apply("tv", removal.remove_texture(big_t, generator, tile=512, ensemble=8),
                          **polish)
    root = Path(__file__).resolve().parents[1]
    where = run.resolve()
    return {"run": str(where.relative_to(root) if where.is_relative_to(root) else where),
            "train_s": round(record["train_s"], 1),
            **{name: {"model": record[split]["model"]["psnr"],
                      "best filter": record[split][record[split]["best_filter"]]["psnr"]}
               for name, split in (("procedural_test", "test"), ("real_textures", "real"))},
            "val_x8_tv": bench["tuned"]["model ×8 + tv"]["psnr"],
            "test": {name: bench[name]["psnr"] for name in ("model", "model ×8 + tv", "rtv")},
            "test_colour_error": bench["model ×8 + tv"]["colour_error"],
            "test_512": {"model ×8 + tv": float(np.mean(metrics.psnr(big, big_s))),
                         "rtv": rtv_psnr}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="JSON list to append rows to")
    parser.add_argument("--shipped", action="store_true",
                        help="score the shipped remover instead of training variants")
    parser.add_argument("--as-shipped", type=Path, default=None, metavar="RUN",
                        help="a train-remover run folder of the first variant: score it as "
                             "the shipped remover is scored, into that variant's row")
    args = parser.parse_args()
    profile = config.resolve_profile("cpu")
    if args.as_shipped:
        if not args.out or not args.out.is_file():
            parser.error("--as-shipped adds to a row of --out: give the JSON file")
        rows = json.loads(args.out.read_text())
        key = (args.variants[0], args.steps, args.seed)
        row = next((r for r in rows if (r["variant"], r["steps"], r["seed"]) == key), None)
        if row is None:
            parser.error(f"{args.out} has no row {key}: run that variant first")
        row["as_shipped"] = {"candidate": as_shipped(args.as_shipped),
                             "shipped": as_shipped(pretrained.folder("remover")),
                             "load": round(os.getloadavg()[0], 2)}
        print(json.dumps(row["as_shipped"]), flush=True)
        args.out.write_text(json.dumps(rows, indent=1) + "\n")
        return 0
    if args.shipped:
        shipped, generator = pretrained.metrics("remover"), pretrained.remover()
        row = {"variant": "course recipe", "steps": shipped["steps"], "seed": shipped["seed"],
               "train_s": round(shipped["train_s"], 1), "shipped": True,
               "procedural_test_psnr": shipped["test"]["model"]["psnr"],
               **{split: photo_scores(generator, split) for split in ("val", "test")}}
        write(row, args.out)
        return 0
    for name in args.variants:
        kwargs, replacements = VARIANTS[name]
        # scored below instead of by train_remover (its tuned filters and ensembles)
        replacements = {**replacements, (removal, "benchmark_scores"): lambda *a, **k: {}}
        with swapped(replacements):
            run = removal.train_remover(profile, None, steps=args.steps, seed=args.seed,
                                        progress=False, **kwargs,
                                        tuned={"tv": {"params": {"weight": 0.05}}})
        row = {"variant": name, "steps": args.steps, "seed": args.seed,
               "train_s": round(run.metrics["train_s"], 1),
               "procedural_test_psnr": run.metrics["test"]["model"]["psnr"],
               **{split: photo_scores(run.generator, split) for split in ("val", "test")},
               "load": round(os.getloadavg()[0], 2)}
        write(row, args.out)
    return 0


def write(row: dict, out: Path | None) -> None:
    print(json.dumps(row), flush=True)
    if out:
        rows = json.loads(out.read_text()) if out.is_file() else []
        out.write_text(json.dumps(rows + [row], indent=1) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
