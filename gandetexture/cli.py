"""Command line: ``python -m gandetexture COMMAND ...`` (also installed as ``gandetexture``).

::

    python -m gandetexture train-remover --profile cpu --out runs/remover   # [--steps N] [--resume]
    python -m gandetexture train-remover --profile gpu --out runs/remover --devices all
    python -m gandetexture remove photo.jpg other.png --model runs/remover --out cleaned/
    python -m gandetexture train-texture --exemplar brick --profile cpu --out runs/brick
    python -m gandetexture train-texture --exemplar brick --half train --out runs/brick-half
    python -m gandetexture generate --model runs/brick --size 512 512 --out brick.png --seed 1
    python -m gandetexture retexture photo.jpg --remover runs/remover --quilt brick --out new/
    python -m gandetexture train-article-gan --profile cpu --out runs/article_gan   # lesson 02
    python -m gandetexture train-toy --profile cpu --out runs/toy                   # lesson 03

Every command is a thin layer over the package (:mod:`gandetexture.removal`,
:mod:`gandetexture.texture`, :mod:`gandetexture.retexture`, :mod:`gandetexture.article`,
:mod:`gandetexture.toy`). A
:class:`ValueError` (bad file, bad name, a run folder that must not be overwritten...) is
printed as one line ``gandetexture: error: ...`` with exit status 2, without a traceback.
``remove`` and ``retexture`` report a bad image that way and go on with the others (exit
status 1).

``--devices N|all`` trains on several devices (:func:`gandetexture.training.strategy_for`):
all GPUs, or the first N. On a machine without a GPU, ``--devices N`` splits the CPU into N
logical devices, which the command does before TensorFlow starts (to try multi-device
training on a laptop; it is not faster). ``--mixed-precision`` trains in ``mixed_float16`` with
loss scaling (:func:`gandetexture.training.precision`): an option for GPUs, not yet measured
on one (on a CPU it is slower).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

PROFILE_CHOICES = ["auto", "smoke", "cpu", "gpu"]


def train_remover(args: argparse.Namespace) -> int:
    from gandetexture import removal, training

    strategy = training.strategy_for(args.devices)  # before any TensorFlow work
    result = removal.train_remover(args.profile, args.out, steps=args.steps,
                                   resume=args.resume, seed=args.seed,
                                   progress=not args.quiet, budget_s=args.budget_s,
                                   devices=strategy,
                                   mixed_precision=args.mixed_precision or None,
                                   ssim_weight=args.ssim_weight).metrics
    names = {"test": "test (procedural)", "real": "real textures",
             "benchmark": "photograph benchmark 128²"}
    for split, label in names.items():
        table = result[split]
        best = table["best_filter"]
        print(f"{label}: model PSNR "
              f"{table['model']['psnr']:.2f} dB, SSIM {table['model']['ssim']:.3f}; best filter "
              f"({best}) PSNR {table[best]['psnr']:.2f} dB, SSIM {table[best]['ssim']:.3f}")
    bench = result["benchmark"]
    print(f"  with 8 flips and turns averaged, then TV: model PSNR "
          f"{bench['model ×8 + tv']['psnr']:.2f} dB, SSIM {bench['model ×8 + tv']['ssim']:.3f}")
    mixed = ", mixed precision" if result["mixed_precision"] else ""
    print(f"{result['steps_done']} steps on {result['devices']} device(s){mixed}, "
          f"{result['images_per_s']:.0f} images/s, "
          f"{result['wall_s']:.0f} s; wrote {Path(args.out) / 'metrics.json'}")
    return 0


def train_article_gan(args: argparse.Namespace) -> int:
    from gandetexture import article

    run = article.train_gan(args.profile, args.out, steps=args.steps, resume=args.resume,
                            seed=args.seed, progress=not args.quiet, budget_s=args.budget_s)
    done = run.history["step"][-1] + 1 if run.history["step"] else 0
    quarter = article.last_quarter(run.history)
    scores = article.scores(run.generator, args.profile, args.seed)
    print(f"last quarter: D's loss {quarter['d_loss']:.2f}, G's {quarter['g_loss']:.2f}; "
          f"64 samples: mean gradient {scores['gradient']:.3f}, std {scores['std']:.3f}, "
          f"median std per patch {scores['patch_std']:.3f}; closest to a coffee crop "
          f"{scores['psnr']:.1f} dB")
    print(f"{done} steps in {run.seconds:.0f} s; generator in {Path(args.out) / 'model.keras'}")
    return 0


def train_toy(args: argparse.Namespace) -> int:
    from gandetexture import toy

    runs = toy.train_all(args.profile, args.seed, args.steps, args.out, progress=not args.quiet)
    for name, row in toy.scores(runs, args.seed).items():
        print(f"{name:<14} {row['covered']} / {toy.MODES} modes covered, "
              f"{row['high_quality']:.0%} high quality, {row['reached']} / {toy.MODES} reached; "
              f"{len(runs[name].history['step'])} steps in {runs[name].seconds:.1f} s")
    print(f"both networks of each loss, history.json and run.json in {args.out}")
    return 0


def output_names(paths: list[Path], out: Path) -> list[Path]:
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


def remove(args: argparse.Namespace) -> int:
    from gandetexture import removal

    generator = removal.load_remover(args.model)
    return for_each_image(args.images, args.out,
                          lambda image: (removal.remove_texture(image, generator,
                                                                tile=args.tile), ""))


def for_each_image(images: Sequence[str], out: str | Path, work) -> int:
    """Run ``work(image) -> (result, note)`` on each image file; save each result as a PNG
    in the folder ``out`` (created; named by :func:`output_names`, never over an input).

    A file that cannot be read gets a one-line error and the others are still done. Returns
    the exit status: 1 when a file failed, else 0.
    """
    from gandetexture import io

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: --out must be a folder, and this is a file")
    out.mkdir(parents=True, exist_ok=True)
    paths = [Path(p) for p in images]
    status = 0
    for path, target in zip(paths, output_names(paths, out)):
        try:
            image = io.load_image(path)
        except ValueError as error:  # report it, go on with the others
            print(f"gandetexture: error: {error}", file=sys.stderr)
            status = 1
            continue
        result, note = work(image)
        io.save_png(result, target)
        print(f"{path} -> {target}{note}")
    return status


def train_texture(args: argparse.Namespace) -> int:
    from gandetexture import config, exemplars, texture, training, yardstick

    strategy = training.strategy_for(args.devices)  # before any TensorFlow work
    profile = config.resolve_profile(args.profile)
    overrides = {"periodic": bool(args.periodic), "seed": int(args.seed),
                 "exemplar": str(args.exemplar), "upsample": args.upsample,
                 "fine_noise": int(args.fine_noise), "d_batchnorm": bool(args.d_batchnorm),
                 "r1": float(args.r1)}
    if args.steps is not None:
        overrides["steps"] = int(args.steps)
    settings = texture.TextureConfig.from_profile(profile, **overrides)
    image = exemplars.load(args.exemplar)  # errors name the exemplar before TF work
    if args.half:  # lesson 06's cut: learn from one half, judge on the other
        train_half, held_out = yardstick.halves(image, yardstick.split_axis(args.exemplar))
        image = train_half if args.half == "train" else held_out
    exemplars.check_size(image, settings.crop, args.exemplar)
    config.set_seed(args.seed)
    model = texture.train_texture(image, settings, out=args.out, resume=args.resume,
                                  progress=not args.quiet, name=args.exemplar,
                                  budget_s=args.budget_s, devices=strategy,
                                  mixed_precision=args.mixed_precision
                                  or profile.mixed_precision)
    print(f"trained {settings.steps} steps on {args.exemplar!r} in {model.seconds:.1f} s; "
          f"model in {args.out}")
    return 0


def generate(args: argparse.Namespace) -> int:
    from gandetexture import config, exemplars, histograms, io, texture

    model = texture.load_texture_model(args.model)
    # read before painting: a bad exemplar stops the command before anything is written
    if not 0.0 <= args.truncation <= 1.0:
        raise ValueError(f"--truncation {args.truncation}: give a number from 0 (the mean "
                         "global code) to 1 (the code as drawn)")
    if args.spectrum and not args.match:
        raise ValueError("--spectrum gives the painting the power spectrum of the --match "
                         "exemplar: pass --match EXEMPLAR too")
    reference = exemplars.load(args.match) if args.match else None
    config.set_seed(args.seed)
    height, width = args.size
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise ValueError(f"{out} exists; choose another --out, or pass --overwrite")
    codes = None  # as drawn
    if args.truncation != 1.0:
        from gandetexture import latent

        codes = latent.truncated_codes(model.config, 1, args.seed, args.truncation)
    image = (model.generate(height, width, seed=args.seed, degrid=args.degrid,
                            global_noise=codes)[0] + 1.0) / 2.0
    if reference is not None:
        image = histograms.match(image, reference, spectrum=args.spectrum)
    path = io.save_png(image, out, value_range=(0.0, 1.0))
    print(f"wrote {path} ({height}×{width})")
    return 0


def retexture(args: argparse.Namespace) -> int:
    from gandetexture import exemplars, removal, texture
    from gandetexture import retexture as rt

    remover = removal.load_remover(args.remover)
    # the texture is read once, and a bad one stops the command before any image is touched
    source = (texture.load_texture_model(args.texture) if args.texture
              else exemplars.load(args.quilt))
    if args.passes < 1:
        raise ValueError(f"--passes must be at least 1, got {args.passes}")
    if args.texture and args.scale != 1.0:
        raise ValueError("--scale resizes a --quilt exemplar; a --texture model paints at "
                         "the scale it was trained at")

    def work(image):
        result = rt.retexture(image, remover, source, strength=args.strength, seed=args.seed,
                              scale=args.scale, passes=args.passes)
        return result.image, (f" (texture strength {result.old_strength:.3f} -> "
                              f"{result.strength:.3f})")

    return for_each_image(args.images, args.out, work)


def training_options(parser: argparse.ArgumentParser, steps_field: str,
                     accelerate: bool = True) -> None:
    """The options the trainers share: one run-folder rule, one way to size a run;
    ``accelerate``: also those of faster training (``--devices`` and after it), which
    ``train-article-gan`` does not take."""
    parser.add_argument("--profile", default="auto", choices=PROFILE_CHOICES)
    parser.add_argument("--out", required=True, help="run folder")
    parser.add_argument("--steps", type=int, default=None,
                        help=f"training steps (default: the profile's {steps_field})")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in --out from its last checkpoint (or load "
                             "it, when it is finished); without it a folder holding a run "
                             "is refused")
    parser.add_argument("--budget-s", type=float, default=None,
                        help="stop training cleanly (and save) after this many seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    if not accelerate:
        return
    parser.add_argument("--devices", default=None, metavar="N|all",
                        help="train on the first N GPUs, or on all of them, each step's batch "
                             "split between them (default: one device); without a GPU, on N "
                             "logical CPU devices")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="compute in float16 with float32 weights and loss scaling "
                             "(mixed_float16; for GPUs, not yet measured on one; slower on "
                             "a CPU); recorded in run.json")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gandetexture",
                                     description="Train and use the course's GANs.")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser(
        "train-remover", help="train the texture remover (conditional GAN) and score it",
        description="Train the U-Net/PatchGAN texture remover on procedural pairs, score it "
                    "against tuned classical filters, write model, checkpoints, "
                    "TensorBoard logs and metrics.json into --out.")
    training_options(p, "remover_steps")
    p.add_argument("--ssim-weight", type=float, default=0.0, metavar="W",
                   help="add W × (1 - SSIM) to the generator's loss (default 0, the course's "
                        "recipe; benchmarks/remover_ablation.py measures 20); recorded in "
                        "run.json")
    p.set_defaults(handler=train_remover)

    p = commands.add_parser(
        "remove", help="remove the texture of images with a trained remover",
        description="Write one PNG per input image (same height and width) into --out; "
                    "inputs are never overwritten, and a bad file does not stop the others.")
    p.add_argument("images", nargs="+", help="image files")
    p.add_argument("--model", required=True, help="run folder of train-remover")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--tile", type=int, default=256,
                   help="tile size for large images (a multiple of the U-Net's stride)")
    p.set_defaults(handler=remove)

    p = commands.add_parser(
        "train-texture", help="train a texture generator on one exemplar",
        description="Train a fully convolutional (spatial) GAN on random crops of one "
                    "exemplar and save it into the run folder --out.")
    p.add_argument("--exemplar", required=True,
                   help="brick, grass, gravel, a procedural texture name, or an image path")
    training_options(p, "texture_steps")
    p.add_argument("--periodic", action="store_true",
                   help="circular padding: generated textures tile seamlessly")
    p.add_argument("--half", choices=["train", "held-out"], default=None,
                   help="train on one half of the exemplar only, cut as lesson 06 cuts it "
                        "(yardstick.halves), so the other half can judge the result")
    p.add_argument("--upsample", choices=["nearest", "linear"], default="nearest",
                   help="the generator's 2× up-sampling; linear blurs nearest's blocks "
                        "(measured in lesson 06's ablation)")
    p.add_argument("--fine-noise", type=int, default=0, metavar="N",
                   help="noise channels added at every scale (TextureConfig.fine_noise)")
    p.add_argument("--d-batchnorm", action="store_true",
                   help="batch norm after D's first layer (TextureConfig.d_batchnorm; the "
                        "course's models before 2026-11 had it, measured worse in lesson 06)")
    p.add_argument("--r1", type=float, default=0.0, metavar="GAMMA",
                   help="an R1 penalty on D's gradient at real crops (TextureConfig.r1; "
                        "on gravel not better than none: benchmarks/d_regularisers.json)")
    p.set_defaults(handler=train_texture)

    p = commands.add_parser(
        "train-article-gan", help="train lesson 02's MLP GAN on 32×32 texture patches",
        description="Train the article's MLP GAN (generator 100 → 256 → 512 → 1024 → 32·32·3, "
                    "MLP discriminator) on random 32×32 patches of brick, grass and gravel, "
                    "as lesson 02 does, and save the generator into the run folder --out.")
    training_options(p, "gan_steps", accelerate=False)
    p.set_defaults(handler=train_article_gan)

    p = commands.add_parser(
        "train-toy", help="train lesson 03's toy GANs on the ring of 8 Gaussians",
        description="Train one small MLP GAN on 2-D points per adversarial loss (minimax, "
                    "non-saturating, least squares, hinge, WGAN-GP), each from the same seed, "
                    "as lesson 03 does; print how many modes each covers and save both "
                    "networks of each into --out (a folder that holds a run is refused).")
    p.add_argument("--profile", default="auto", choices=PROFILE_CHOICES)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--steps", type=int, default=None,
                   help="training steps of each loss (default: the profile's toy_steps)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=train_toy)

    p = commands.add_parser(
        "generate", help="paint a texture of any size with a trained model",
        description="Generate one texture image with a model saved by train-texture.")
    p.add_argument("--model", required=True, help="run folder of train-texture")
    p.add_argument("--size", type=int, nargs=2, metavar=("H", "W"), default=(512, 512))
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--degrid", action="store_true",
                   help="subtract the generator's fixed pattern for the painting's global "
                        "code, the grid it paints in every noise cell (degrid.fixed_pattern; "
                        "lesson 06 measures it)")
    p.add_argument("--match", metavar="EXEMPLAR",
                   help="give the texture this exemplar's pixel and band histograms "
                        "(histograms.match; lesson 06 measures what it changes): a bundled "
                        "name or an image path, usually the exemplar the model learned")
    p.add_argument("--truncation", type=float, default=1.0, metavar="PSI",
                   help="pull the painting's global code towards the mean code: 1 keeps it, "
                        "0 paints the mean code (latent.truncated_codes; lesson 06 measures "
                        "0.5)")
    p.add_argument("--spectrum", action="store_true",
                   help="with --match: give it the exemplar's power spectrum first "
                        "(histograms.match_spectrum; lesson 06 measures it)")
    p.set_defaults(handler=generate)

    p = commands.add_parser(
        "retexture", help="replace the texture of images with another one",
        description="Remove each image's texture with a trained remover, paint a new texture "
                    "of its size (image quilting of an exemplar, or a trained texture model) "
                    "and put it on the structure at the old texture's strength (or "
                    "--strength). One PNG per input image in --out; inputs are never "
                    "overwritten, and a bad file does not stop the others.")
    p.add_argument("images", nargs="+", help="image files")
    p.add_argument("--remover", required=True, help="run folder of train-remover")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--texture", help="run folder of train-texture")
    source.add_argument("--quilt", metavar="EXEMPLAR",
                        help="quilt this exemplar: brick, grass, gravel, a procedural texture "
                             "name, or an image path")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--strength", type=float, default=None,
                   help="strength of the new texture, 0-1 (root mean square of its layer; "
                        "default: the old texture's)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="resize the --quilt exemplar by this factor first (0.5: features "
                        "half as large)")
    p.add_argument("--passes", type=int, default=2,  # retexture.PASSES (a test keeps them equal)
                   help="run the remover this many times to make the structure (default 2: "
                        "a structure the remover keeps; lesson 08 measures 1, 2 and 3)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=retexture)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ValueError as error:
        print(f"gandetexture: error: {error}", file=sys.stderr)
        return 2
