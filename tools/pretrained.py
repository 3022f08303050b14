"""Make the models the package ships (``make pretrained``; not part of CI).

Each model of :data:`gandetexture.pretrained.RECIPES` is trained by the package's own command
line into ``build/pretrained/<name>`` (a finished run there is kept, not trained again; pass
``--fresh`` to start over), then its generator, ``run.json``, a thinned ``history.json`` and
a ``metrics.json`` (the run's scores, the exact command, the check scores of
:func:`gandetexture.pretrained.check_scores` and, for brick, grass and gravel, lesson 06's
judgement under ``cpu``) are copied into ``gandetexture/models/<name>``; then lesson 07's
filter settings are tuned into ``gandetexture/models/filters/tuned.json``
(:func:`gandetexture.pretrained.tune_filters`). Lesson 02's generator ships in float16 with
its whole history (:func:`ship_article_gan`; 3 minutes to train); lesson 03's toy GANs ship
both networks of each loss, their histories and lesson 03's table (:func:`ship_toy`; under a
minute). About 20 minutes on 2 cores, most of it the remover.

    python tools/pretrained.py                 # every model
    python tools/pretrained.py --only brick    # one
    python tools/pretrained.py --rejudge       # only lesson 06's judgement, no training
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gandetexture import pretrained  # noqa: E402

HISTORY_ROWS = 1000  # rows of history.json kept: enough for every plot of the lessons
# ... but lesson 02 prints means over the last quarter of every step: its history ships whole
WHOLE_HISTORY = {"article_gan"}
NO_CHECKPOINTS = {"toy"}  # runs of seconds, saved once at the end: no --resume to pass
JUDGED = ("brick", "grass", "gravel")  # lesson 06's exemplars: metrics.json holds its judgement


def train(name: str, run_dir: Path, fresh: bool) -> float:
    """Run the recipe into ``run_dir`` unless a finished run is there; return its seconds."""
    record = run_dir / "run.json"
    if fresh and run_dir.exists():
        shutil.rmtree(run_dir)
    if record.is_file() and json.loads(record.read_text()).get("complete"):
        print(f"{name}: finished run in {run_dir}, kept")
        return 0.0
    resume = [] if name in NO_CHECKPOINTS else ["--resume"]
    command = [sys.executable, "-m", "gandetexture", *pretrained.RECIPES[name],
               "--out", str(run_dir), *resume, "--quiet"]
    print("$", " ".join(command), flush=True)
    began = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - began


def thin(history: dict[str, list], rows: int | None = HISTORY_ROWS) -> dict[str, list]:
    """Every k-th row of a history, so that at most about ``rows`` remain (the last kept);
    ``rows=None``: all of them."""
    length = len(history.get("step", []))
    if rows is None:
        return history
    k = max(1, -(-length // rows))
    keep = sorted(set(range(0, length, k)) | ({length - 1} if length else set()))
    return {key: [values[i] for i in keep] for key, values in history.items()}


def judgement(name: str, model) -> dict:
    """Lesson 06's judgement of the model ``name`` (a bundled exemplar) under ``cpu``."""
    from gandetexture import baselines, config, exemplars, yardstick

    profile = config.PROFILES["cpu"]
    axis = yardstick.split_axis(name)
    train_half, held_out = yardstick.halves(exemplars.load(name), axis)
    big = min(512, 4 * model.config.crop)
    made = baselines.candidates(train_half, model.generate(big, big, seed=0)[0], big, seed=0)
    return yardstick.judge(train_half, held_out, made, seed=0,
                           **yardstick.judge_settings(profile))


def ship_article_gan(run_dir: Path, target: Path, history: dict) -> dict:
    """Lesson 02's generator into ``target`` in float16: its 3.84 M weights take 7.7 MB, not
    15.4 (the wheel stays under 25 MB); only the generator, as the lesson needs no
    discriminator after training. Returns what lesson 02 prints of the run itself."""
    from gandetexture import article

    article.with_dtype(article.load_generator(run_dir), "float16").save(target / "model.keras")
    settings = json.loads((run_dir / "run.json").read_text())["settings"]
    return {"settings": settings, "train_s": history["time"][-1],
            "last_quarter": article.last_quarter(history)}


def ship_toy(run_dir: Path) -> dict:
    """Lesson 03's runs: what :func:`record` writes besides the networks (copied as they
    are: under 70 kB each) and the check (lesson 03's table): the settings and each loss's
    training seconds."""
    from gandetexture import toy

    runs = toy.load_runs(run_dir)
    settings = json.loads((run_dir / "run.json").read_text())["settings"]
    return {"settings": settings, "train_s": {name: run.seconds for name, run in runs.items()}}


def record(name: str, run_dir: Path, seconds: float) -> dict:
    """Copy a finished run into the package and write its ``metrics.json``."""
    from gandetexture import removal, texture

    target = pretrained.MODELS / name
    target.mkdir(parents=True, exist_ok=True)
    for file in pretrained.files(name):
        if file not in ("metrics.json", "history.json"):
            shutil.copy2(run_dir / file, target / file)
    history = json.loads((run_dir / "history.json").read_text())
    rows = None if name in WHOLE_HISTORY else HISTORY_ROWS
    if name == "toy":  # {loss: history}, each thinned
        (target / "history.json").write_text(json.dumps(
            {loss: thin(rows_of_loss, rows) for loss, rows_of_loss in history.items()}))
    else:
        (target / "history.json").write_text(json.dumps(thin(history, rows)))
    if name == "remover":
        scores = json.loads((run_dir / "metrics.json").read_text())
        model = removal.load_remover(run_dir)
    elif name == "article_gan":
        scores, model = ship_article_gan(run_dir, target, history), None  # checked as shipped
    elif name == "toy":
        scores, model = ship_toy(run_dir), None  # checked as shipped
    else:
        model = texture.load_texture_model(run_dir)
        scores = {"settings": json.loads((run_dir / "run.json").read_text())["settings"],
                  "train_s": history["time"][-1] if history.get("time") else seconds}
        if name in JUDGED:
            scores["judge"] = judgement(name, model)
    scores["command"] = pretrained.command(name)
    scores["check"] = pretrained.check_scores(name, model)
    (target / "metrics.json").write_text(json.dumps(scores, indent=2) + "\n")
    size = sum(f.stat().st_size for f in target.iterdir()) / 1e6
    print(f"{name}: {size:.1f} MB in {target}; check {scores['check']}")
    return scores


def record_filters() -> dict:
    """Tune lesson 07's filters as its ``cpu`` run does and write
    :data:`gandetexture.pretrained.FILTERS_FILE` (settings, scores, the call, a check)."""
    print("$", pretrained.filters_call(), flush=True)
    began = time.perf_counter()
    tuned = pretrained.tune_filters(**pretrained.FILTERS_RECIPE)
    record = {**pretrained.FILTERS_RECIPE, "tuned": tuned, "call": pretrained.filters_call(),
              "command": "python tools/pretrained.py --only filters",
              "tune_s": round(time.perf_counter() - began, 1),
              "check": pretrained.check_filters(tuned)}
    pretrained.FILTERS_FILE.parent.mkdir(parents=True, exist_ok=True)
    pretrained.FILTERS_FILE.write_text(json.dumps(record, indent=2) + "\n")
    print(f"filters: {pretrained.FILTERS_FILE} in {record['tune_s']} s")
    return record


def rejudge(name: str) -> None:
    """Judge a shipped texture model again (after the judge changed), as :func:`record` would,
    and rewrite only the ``judge`` of its ``metrics.json``: no training."""
    target = pretrained.MODELS / name
    scores = json.loads((target / "metrics.json").read_text())
    began = time.perf_counter()
    scores["judge"] = judgement(name, pretrained.texture(name))
    (target / "metrics.json").write_text(json.dumps(scores, indent=2) + "\n")
    print(f"{name}: judged again in {time.perf_counter() - began:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[*pretrained.names(), "filters"],
                        default=None, help="filters: lesson 07's tuned filter settings")
    parser.add_argument("--runs", type=Path, default=ROOT / "build" / "pretrained",
                        help="where the runs are trained (kept between calls)")
    parser.add_argument("--fresh", action="store_true", help="train again from scratch")
    parser.add_argument("--rejudge", action="store_true",
                        help="only judge the shipped brick, grass and gravel again (no training)")
    args = parser.parse_args()
    if args.rejudge and set(args.only or []) - set(JUDGED):
        parser.error(f"--rejudge judges only {', '.join(JUDGED)}: not "
                     f"{', '.join(sorted(set(args.only) - set(JUDGED)))}")
    if args.rejudge:
        for name in args.only or JUDGED:
            rejudge(name)
        return 0
    for name in args.only or [*pretrained.names(), "filters"]:
        if name == "filters":  # no training: lesson 07's tuning, about 100 s
            record_filters()
            continue
        run_dir = args.runs / name
        seconds = train(name, run_dir, args.fresh)
        record(name, run_dir, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
