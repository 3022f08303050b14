"""Does the remover's adversarial term earn its place? L1 alone against L1 + adversarial.

Trains lesson 05's remover (``networks.build_remover``, ``removal.optimizers``, the pix2pix
step) for all of ``profile.remover_steps``, with the discriminator and without it, for several
seeds, and scores each model on three splits (the procedural test split, procedural structures
under scikit-image's real textures, and the photograph benchmark at 128²) with four measures:

- ``psnr``, ``ssim``: what L1 is close to optimising;
- ``edge_sharpness``: mean gradient magnitude of the output over the truth's, on the truth's
  edge pixels (gradient above :data:`EDGE`): below 1, edges came out blurred;
- ``texture_left``: mean gradient magnitude of the output over the input's, on the truth's
  flat pixels (gradient below :data:`FLAT`): 0, all texture removed there; 1, none.

Every run is appended to the JSON as soon as it ends, and a run already there is not repeated,
so an interrupted call continues where it stopped. Lesson 05 reads the JSON.

    python benchmarks/adversarial_worth.py --profile cpu --seeds 0 1 2 --write
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gandetexture import benchmark, config, metrics, networks, removal, steps, training  # noqa: E402

RESULTS = ROOT / "benchmarks" / "adversarial_worth.json"

#: The variants: (discriminator on, L1 weight). pix2pix's λ = 100 is the course's default.
VARIANTS = {"L1 + adversarial": (True, 100.0), "L1 only": (False, 100.0)}


def splits(profile: config.Profile) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The three test splits, always drawn with seed 0 (the training seed varies alone)."""
    data = removal.evaluation_data(profile, 0)
    n = min(48, 3 * profile.eval_count // 4)
    photo_t, photo_s, _ = benchmark.photo_pairs("test", n, 128, 0)
    return {"test": data["test"], "real": data["real"], "photographs": (photo_t, photo_s)}


def train_and_score(profile: config.Profile, adversarial: bool, l1_weight: float, seed: int,
                    data: dict) -> dict:
    config.set_seed(seed)
    import keras

    keras.backend.clear_session()
    generator, discriminator = networks.build_remover(profile)
    g_opt, d_opt = removal.optimizers(profile.remover_steps)
    step = steps.make_remover_step(generator, discriminator if adversarial else None, g_opt,
                                   d_opt if adversarial else None, l1_weight=l1_weight)
    began = time.perf_counter()
    training.fit(step, removal.training_data(profile, seed), profile.remover_steps,
                 progress=False)
    scores = {}
    for split, (textured, truth) in data.items():
        prediction = removal.predict(generator, textured)
        scores[split] = {**metrics.image_scores(prediction, truth),
                         **metrics.detail_scores(textured, prediction, truth)}
    return {"train_s": time.perf_counter() - began, "scores": scores}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu", choices=["smoke", "cpu", "gpu"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--write", action="store_true", help=f"append the runs to {RESULTS}")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    profile = config.resolve_profile(args.profile)
    record = json.loads(args.out.read_text()) if args.write and args.out.is_file() else {}
    runs = record.setdefault(profile.name, {"steps": profile.remover_steps, "edge": metrics.EDGE,
                                            "flat": metrics.FLAT, "runs": []})["runs"]
    data = splits(profile)
    for seed in args.seeds:
        for variant in args.variants:
            if any(r["variant"] == variant and r["seed"] == seed for r in runs):
                print(f"{variant}, seed {seed}: already measured")
                continue
            result = {"variant": variant, "seed": seed,
                      **train_and_score(profile, *VARIANTS[variant], seed, data)}
            runs.append(result)
            summary = ", ".join(f"{split} {s['psnr']:.2f} dB / edges {s['edge_sharpness']:.2f}"
                                f" / left {s['texture_left']:.2f}"
                                for split, s in result["scores"].items())
            print(f"{variant}, seed {seed}: {result['train_s']:.0f} s; {summary}", flush=True)
            if args.write:
                args.out.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
