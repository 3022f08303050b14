"""Texture removal with the conditional GAN: training, saving, inference, command line.

- :func:`train_remover` trains the U-Net / PatchGAN pair of :mod:`gandetexture.models` with
  :func:`gandetexture.training.make_remover_step` and the shared :func:`~gandetexture.training.fit`,
  scores it on the procedural test split and on real scikit-image textures against tuned
  scikit-image filters, and writes a run folder that :func:`load_remover` reads back.
- :func:`remove_texture` applies a trained generator to an image of any size (padded to a
  multiple of the U-Net's stride, tiled with blended overlaps when large), or to a batch.
- ``python -m gandetexture train-remover`` and ``python -m gandetexture remove`` (see
  :func:`add_commands`).

A run folder holds ``remover.json`` (architecture and profile), ``generator.weights.h5``,
``checkpoints/``, ``logs/`` (TensorBoard), ``history.json`` and ``metrics.json``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from gandetexture import config, datasets, filters, metrics, models, training

MODEL_FILE = "remover.json"
WEIGHTS_FILE = "generator.weights.h5"

#: Learning rate of the remover's generator. Its loss is dominated by ``100 × L1``, a
#: regression that Adam(1e-3, β1 = 0.5) learns much faster than the article's 2e-4 within the
#: few thousand steps of the ``cpu`` profile (measured: validation PSNR after 300 L1 steps,
#: 23.1 dB with 1e-3 against 22.0 dB with 2e-4). The discriminator keeps 2e-4.
GENERATOR_LR = 1e-3

#: Final learning rate of the generator's cosine decay, as a fraction of :data:`GENERATOR_LR`.
DECAY_FLOOR = 0.05


def optimizers(steps: int | None = None
               ) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
    """Adam for the generator (:data:`GENERATOR_LR`) and the discriminator (2e-4), β1 = 0.5.

    With ``steps``, the generator's learning rate follows a cosine from :data:`GENERATOR_LR`
    down to ``DECAY_FLOOR ×`` that at step ``steps`` (the schedule reads the optimizer's own
    step counter, which checkpoints hold, so a resumed run continues on the same curve).
    Measured on 256 validation pairs after 1000 steps (batch 32, before textures were
    centred): 24.54 dB with the decay, 24.39 dB without.
    """
    rate = GENERATOR_LR
    if steps:
        rate = keras.optimizers.schedules.CosineDecay(GENERATOR_LR, int(steps),
                                                      alpha=DECAY_FLOOR)
    return training.adam(rate), training.adam()


# --------------------------------------------------------------------------------- data

def eval_count(profile: config.Profile) -> int:
    """Pairs in each of the validation, test and real-texture splits of a profile."""
    return int(np.clip(profile.n_pairs // 64, 16, 64))


def evaluation_data(profile: config.Profile, seed: int = 0) -> dict[str, tuple[np.ndarray,
                                                                              np.ndarray]]:
    """Validation, test and real-texture pairs, ``float32 [n, S, S, 3] in [0, 1]`` each.

    ``"val"`` and ``"test"`` are procedural (:func:`datasets.pair_splits`, never shared with
    training); ``"real"`` uses scikit-image's brick, grass and gravel photographs, which no
    training pair contains (:func:`datasets.real_texture_pairs`).
    """
    n, size = eval_count(profile), profile.image_size
    splits = datasets.pair_splits(size, 0, n, n, seed=seed)
    return {"val": splits["val"], "test": splits["test"],
            "real": datasets.real_texture_pairs(n, size, seed)}


def batch_size(profile: config.Profile) -> int:
    """Batch size of the remover: ``profile.remover_batch_size``, else ``profile.batch_size``."""
    return int(getattr(profile, "remover_batch_size", 0) or profile.batch_size)


def bank_size(profile: config.Profile) -> int:
    """Structures (and textures) drawn for :func:`training_data`: half of ``n_pairs``, 32-2048.

    Measured on 256 validation pairs after 1000 steps (batch 32, before textures were
    centred): 24.73 dB from a bank of 2048 against 24.39 dB from 256.
    """
    return int(np.clip(profile.n_pairs // 2, 32, 2048))


def training_data(profile: config.Profile, seed: int = 0) -> tf.data.Dataset:
    """Endless procedural training batches ``(textured, structure)`` in [-1, 1].

    :func:`batch_size` pairs per batch, combined on the fly from :func:`bank_size` structures
    and textures (:func:`gandetexture.datasets.pair_stream`).
    """
    return datasets.pair_stream(profile.image_size, batch_size(profile), seed=seed,
                                bank_size=bank_size(profile))


# --------------------------------------------------------------------------------- models

def save_remover(generator: keras.Model, directory: str | Path, **info: Any) -> Path:
    """Write ``remover.json`` (architecture, ``info``) and the generator's weights."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = directory / WEIGHTS_FILE
    tmp = directory / ("tmp-" + WEIGHTS_FILE)
    generator.save_weights(tmp)
    tmp.replace(weights)
    (directory / MODEL_FILE).write_text(json.dumps(info, indent=2) + "\n")
    return directory


def load_remover(directory: str | Path) -> keras.Model:
    """Rebuild a generator saved by :func:`save_remover` (or ``train-remover``).

    Raises
    ------
    ValueError
        When ``directory`` holds no trained remover, naming it.
    """
    directory = Path(directory)
    spec_file, weights = directory / MODEL_FILE, directory / WEIGHTS_FILE
    if not spec_file.is_file() or not weights.is_file():
        raise ValueError(f"{directory}: no trained remover here (expected {MODEL_FILE} and "
                         f"{WEIGHTS_FILE}); train one with `python -m gandetexture "
                         f"train-remover --out {directory}`")
    try:
        spec = json.loads(spec_file.read_text())
        generator = models.build_unet_generator(
            int(spec["width"]), int(spec["depth"]), residual=bool(spec.get("residual", True)),
            global_context=bool(spec.get("global_context", False)))
        generator.load_weights(weights)
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{directory}: the saved remover cannot be read ({error})") from None
    return generator


def stride_multiple(generator: keras.Model) -> int:
    """Height and width a U-Net accepts are multiples of this (product of its strides)."""
    multiple = 1
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Conv2D) and not isinstance(
                layer, keras.layers.Conv2DTranspose):
            multiple *= int(layer.strides[0])
    return multiple


# --------------------------------------------------------------------------------- inference

def predict(generator: keras.Model, images, batch_size: int = 32) -> np.ndarray:
    """Structures of same-size images: ``float32 [N, H, W, 3] in [0, 1]`` in and out.

    H and W must be multiples of :func:`stride_multiple`; :func:`remove_texture` handles any.
    """
    images = np.asarray(images, np.float32)
    out = [generator(tf.constant(images[i:i + batch_size] * 2.0 - 1.0), training=False)
           for i in range(0, len(images), batch_size)]
    return np.clip((np.concatenate(out) + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


def _ramp(length: int, overlap: int) -> np.ndarray:
    """1-D blending weights of a tile: rising over ``overlap`` pixels at both ends."""
    weights = np.ones(length, np.float32)
    if overlap > 0:
        rise = (np.arange(overlap, dtype=np.float32) + 0.5) / overlap
        weights[:overlap] = rise
        weights[-overlap:] = np.minimum(weights[-overlap:], rise[::-1])
    return weights


def _starts(size: int, tile: int, stride: int) -> list[int]:
    if size <= tile:
        return [0]
    starts = list(range(0, size - tile, stride))
    return starts + [size - tile]


def _remove_one(image: np.ndarray, generator: keras.Model, tile: int, overlap: int,
                batch_size: int) -> np.ndarray:
    h, w = image.shape[:2]
    m = stride_multiple(generator)
    if h * w <= tile * tile:  # whole image at once, padded to a multiple of the stride
        ph, pw = -(-h // m) * m - h, -(-w // m) * m - w
        padded = np.pad(image, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)),
                        mode="symmetric")
        out = predict(generator, padded[None], batch_size)[0]
        return out[ph // 2:ph // 2 + h, pw // 2:pw // 2 + w]
    # Tiles of tile × tile with `overlap` pixels shared, blended with linear ramps; the image
    # is first padded by overlap // 2 (mirrored) so border pixels also get context.
    margin = overlap // 2
    th, tw = min(tile, -(-(h + 2 * margin) // m) * m), min(tile, -(-(w + 2 * margin) // m) * m)
    big_h, big_w = max(h + 2 * margin, th), max(w + 2 * margin, tw)
    padded = np.pad(image, ((margin, big_h - h - margin), (margin, big_w - w - margin), (0, 0)),
                    mode="symmetric")
    ys, xs = _starts(big_h, th, th - overlap), _starts(big_w, tw, tw - overlap)
    weight = _ramp(th, overlap)[:, None, None] * _ramp(tw, overlap)[None, :, None]
    total = np.zeros((big_h, big_w, 3), np.float32)
    norm = np.zeros((big_h, big_w, 1), np.float32)
    boxes = [(y, x) for y in ys for x in xs]
    for k in range(0, len(boxes), batch_size):
        chunk = boxes[k:k + batch_size]
        tiles = np.stack([padded[y:y + th, x:x + tw] for y, x in chunk])
        for (y, x), out in zip(chunk, predict(generator, tiles, batch_size)):
            total[y:y + th, x:x + tw] += out * weight
            norm[y:y + th, x:x + tw] += weight
    return (total / norm)[margin:margin + h, margin:margin + w]


def remove_texture(image, model: keras.Model | str | Path, tile: int = 256, overlap: int = 32,
                   batch_size: int = 8) -> np.ndarray:
    """Remove the texture of an image of any size, or of a batch of images.

    Parameters
    ----------
    image : array-like
        ``[H, W]``, ``[H, W, C]`` or ``[B, H, W, C]`` with ``C`` in 1 (grey), 3 (RGB) or 4 (RGBA,
        alpha kept), values in [0, 1] (``uint8`` is divided by 255).
    model : keras.Model or path
        A generator (from :func:`gandetexture.models.build_unet_generator`) or a run folder
        (see :func:`load_remover`).
    tile, overlap : int
        Images with more than ``tile²`` pixels are processed in ``tile × tile`` tiles sharing
        ``overlap`` pixels, blended with linear weights (no seams); smaller ones whole, padded
        by mirroring to a multiple of the U-Net's stride. Either way the result has the input's
        height and width.
    batch_size : int
        Tiles (or images) per forward pass.

    Returns
    -------
    np.ndarray
        ``float32`` in [0, 1], the input's shape (grey in, grey out; alpha copied).
    """
    generator = model if isinstance(model, keras.Model) else load_remover(model)
    array = np.asarray(image)
    if array.dtype == np.uint8:
        array = array.astype(np.float32) / 255.0
    array = array.astype(np.float32)
    shape = array.shape
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[-1] not in (1, 3, 4) or 0 in array.shape:
        raise ValueError(f"remove_texture takes [H, W], [H, W, C] or [B, H, W, C] with C in "
                         f"1, 3, 4; got shape {shape}")
    if tile % stride_multiple(generator) or overlap >= tile:
        raise ValueError(f"tile ({tile}) must be a multiple of {stride_multiple(generator)} "
                         f"and larger than overlap ({overlap})")
    channels = array.shape[-1]
    rgb = np.repeat(array, 3, axis=-1) if channels == 1 else array[..., :3]
    out = np.stack([_remove_one(np.clip(x, 0.0, 1.0), generator, tile, overlap, batch_size)
                    for x in rgb])
    if channels == 1:
        out = out.mean(axis=-1, keepdims=True)
    elif channels == 4:
        out = np.concatenate([out, array[..., 3:]], axis=-1)
    return out.reshape(shape).astype(np.float32)


# --------------------------------------------------------------------------------- scoring

def evaluate(generator: keras.Model, data: dict[str, tuple[np.ndarray, np.ndarray]],
             tuned: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Score a generator and the tuned filters on the test and real splits.

    Parameters
    ----------
    data : dict
        As returned by :func:`evaluation_data`.
    tuned : dict, optional
        As returned by :func:`gandetexture.filters.tune` on ``data["val"]`` (tuned here if
        not given).

    Returns
    -------
    dict
        ``{"tuned": tuned, "test": table, "real": table}`` where a table maps ``"model"``,
        ``"input"`` (the textured image itself) and each filter name to ``{"psnr", "ssim"}``,
        plus ``"best_filter"`` (the filter with the highest PSNR on that split).
    """
    if tuned is None:
        tuned = filters.tune(*data["val"])
    result: dict[str, Any] = {"tuned": tuned}
    for split in ("test", "real"):
        textured, structure = data[split]
        table = {"model": metrics.image_scores(predict(generator, textured), structure),
                 "input": metrics.image_scores(textured, structure)}
        for name, best in tuned.items():
            table[name] = metrics.image_scores(
                filters.apply(name, textured, **best["params"]), structure)
        table["best_filter"] = max(tuned, key=lambda name: table[name]["psnr"])
        result[split] = table
    return result


# --------------------------------------------------------------------------------- training

def remover_spec(profile: config.Profile, residual: bool = True,
                 global_context: bool = True) -> dict[str, Any]:
    """What ``remover.json`` records: the architecture of ``models.build_remover(profile)``."""
    return {"width": models.remover_width(profile), "depth": profile.depth, "residual": residual,
            "global_context": global_context, "profile": profile.name,
            "image_size": profile.image_size}


def train_remover(profile: config.Profile | str, out: str | Path, steps: int | None = None,
                  resume: bool = False, seed: int = 0, progress: bool = True,
                  budget_s: float | None = None, jit_compile: bool | None = None
                  ) -> dict[str, Any]:
    """Train, score and save the texture remover into a run folder (``train-remover``).

    Parameters
    ----------
    profile : Profile or str
        Sizes and step count (``profile.remover_steps`` unless ``steps`` is given).
    out : str or Path
        Run folder. One that already holds checkpoints is continued only with ``resume``;
        otherwise a ``ValueError`` says so (nothing of a user's is ever overwritten).
    budget_s : float, optional
        Wall-clock budget of the training loop (stops cleanly and saves).
    jit_compile : bool, optional
        XLA for the train step (default: the profile's ``xla`` measured choice).

    Returns
    -------
    dict
        What ``metrics.json`` holds: scores of the model and of the tuned filters on the test
        and real splits, images/s, parameter counts, receptive field, steps and wall times.
    """
    began = time.perf_counter()
    profile = config.resolve_profile(profile) if isinstance(profile, str) else profile
    out = Path(out)
    if (out / "checkpoints").exists() and any((out / "checkpoints").iterdir()) and not resume:
        raise ValueError(f"{out} already holds checkpoints of a run; pass --resume to "
                         "continue it, or choose another --out")
    steps = int(profile.remover_steps if steps is None else steps)
    if steps < 1:
        raise ValueError(f"--steps must be at least 1, got {steps}")
    config.set_seed(seed)
    keras.backend.clear_session()
    generator, discriminator = models.build_remover(profile)
    g_opt, d_opt = optimizers(steps)
    if jit_compile is None:
        jit_compile = bool(getattr(profile, "xla", False))
    step = training.make_remover_step(generator, discriminator, g_opt, d_opt,
                                      jit_compile=jit_compile)
    data = evaluation_data(profile, seed)
    peek_t, peek_s = data["val"][0][:16], data["val"][1][:16]

    def on_summary(index: int) -> None:
        prediction = predict(generator, peek_t)
        for name, value in metrics.image_scores(prediction, peek_s).items():
            training.summary_scalar(f"val/{name}", value)
        training.summary_images("val/textured-prediction-truth",
                                np.concatenate([peek_t[:2], prediction[:2], peek_s[:2]]),
                                max_outputs=6)

    track = {"generator": generator, "discriminator": discriminator,
             "g_optimizer": g_opt, "d_optimizer": d_opt}
    latest = tf.train.latest_checkpoint(out / "checkpoints") if resume else None
    first = int(latest.rsplit("-", 1)[-1]) if latest else 0
    fit_began = time.perf_counter()
    history = training.fit(step, training_data(profile, seed), steps, track=track,
                           directory=out, resume=resume,
                           checkpoint_every=profile.preview_every,
                           summary_every=profile.preview_every, on_summary=on_summary,
                           budget_s=budget_s, progress=progress, desc="train-remover")
    train_s = time.perf_counter() - fit_began
    save_remover(generator, out, **remover_spec(profile))
    # images/s over this call's steps after its first one (which includes tracing)
    times = [t for s, t in zip(history["step"], history["time"]) if s >= first]
    images_per_s = (batch_size(profile) * (len(times) - 2) / (times[-1] - times[0])
                    if len(times) > 2 and times[-1] > times[0] else float("nan"))
    scores = evaluate(generator, data)
    result = {
        "profile": profile.name, "seed": seed, "steps": steps,
        "steps_done": history["step"][-1] + 1 if history["step"] else 0,
        "batch_size": batch_size(profile), "bank_size": bank_size(profile),
        "image_size": profile.image_size,
        "xla": bool(jit_compile),
        "params": {"generator": models.count_params(generator),
                   "discriminator": models.count_params(discriminator)},
        "receptive_field": models.receptive_field(discriminator),
        "images_per_s": images_per_s, "train_s": train_s,
        "final_losses": {k: v[-1] for k, v in history.items() if k not in ("step", "time")},
        **scores,
        "wall_s": time.perf_counter() - began,
    }
    (out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


# --------------------------------------------------------------------------------- CLI

def _cmd_train(args) -> int:
    result = train_remover(args.profile, args.out, steps=args.steps, resume=args.resume,
                           seed=args.seed, progress=not args.quiet, budget_s=args.budget_s)
    test, real = result["test"], result["real"]
    for split, table in (("test (procedural)", test), ("real textures", real)):
        best = table["best_filter"]
        print(f"{split}: model PSNR {table['model']['psnr']:.2f} dB, SSIM "
              f"{table['model']['ssim']:.3f}; best filter ({best}) PSNR "
              f"{table[best]['psnr']:.2f} dB, SSIM {table[best]['ssim']:.3f}")
    print(f"{result['steps_done']} steps, {result['images_per_s']:.0f} images/s, "
          f"{result['wall_s']:.0f} s; wrote {Path(args.out) / 'metrics.json'}")
    return 0


def _output_names(paths: list[Path], out: Path) -> list[Path]:
    """One PNG per input in ``out``, never the name of an input nor twice the same name."""
    inputs = {p.resolve() for p in paths}
    used: set[Path] = set()
    names = []
    for path in paths:
        candidate, k = out / f"{path.stem}.png", 1
        while candidate.resolve() in inputs or candidate in used:
            k += 1
            candidate = out / f"{path.stem}-{k}.png"
        used.add(candidate)
        names.append(candidate)
    return names


def _cmd_remove(args) -> int:
    from PIL import Image

    from gandetexture.io import load_image

    generator = load_remover(args.model)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: --out must be a folder, and this is a file")
    out.mkdir(parents=True, exist_ok=True)
    paths = [Path(p) for p in args.images]
    status = 0
    for path, target in zip(paths, _output_names(paths, out)):
        try:
            image = load_image(path)
        except ValueError as error:
            print(f"gandetexture: error: {error}", file=sys.stderr)
            status = 1
            continue
        result = remove_texture(image, generator, tile=args.tile)
        Image.fromarray(np.round(result * 255).astype(np.uint8)).save(target)
        print(f"{path} -> {target}")
    return status


def add_commands(subparsers) -> None:
    """Register ``train-remover`` and ``remove`` with the ``python -m gandetexture`` parser."""
    train = subparsers.add_parser(
        "train-remover", help="train the texture remover (conditional GAN) and score it",
        description="Train the U-Net/PatchGAN texture remover on procedural pairs, score it "
                    "against tuned scikit-image filters, write model, checkpoints, "
                    "TensorBoard logs and metrics.json into --out.")
    train.add_argument("--profile", default="auto", choices=["auto", *config.PROFILES])
    train.add_argument("--out", required=True, help="run folder")
    train.add_argument("--steps", type=int, default=None,
                       help="training steps (default: the profile's remover_steps)")
    train.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its last checkpoint")
    train.add_argument("--budget-s", type=float, default=None,
                       help="stop training cleanly (and save) after this many seconds")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=_cmd_train)

    remove = subparsers.add_parser(
        "remove", help="remove the texture of images with a trained remover",
        description="Write one PNG per input image (same height and width) into --out.")
    remove.add_argument("images", nargs="+", help="image files")
    remove.add_argument("--model", required=True, help="run folder of train-remover")
    remove.add_argument("--out", required=True, help="output folder")
    remove.add_argument("--tile", type=int, default=256,
                        help="tile size for large images (a multiple of the U-Net's stride)")
    remove.set_defaults(handler=_cmd_remove)
