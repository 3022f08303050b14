"""Execute lessons headless with papermill under a profile, never in place.

    python tools/run_notebooks.py --profile smoke            # every lesson
    python tools/run_notebooks.py --profile cpu --only 02 05  # some lessons
    python tools/run_notebooks.py --profile gpu --timings build/executed/gpu/timings.md
    python tools/run_notebooks.py --profile cpu --pretrained   # shipped models, no training
    GANDETEXTURE_MAX_STEPS=1 python tools/run_notebooks.py --profile gpu \
        --pretrained-where-possible                              # as make test runs it

Executed copies go to ``build/executed/<profile>/``; lesson outputs (checkpoints, logs) to
``build/outputs/<profile>/`` unless ``GANDETEXTURE_OUTPUT`` is set. Wall times are written to
``build/executed/<profile>/timings.json`` and printed as a table; ``--timings FILE`` also
writes this run's table (seconds and minutes per lesson, the machine's GPUs) as Markdown, the
table ``make test-gpu`` keeps. ``--pretrained`` runs only the lessons with a ``PRETRAINED``
parameter, with it set (they load the package's shipped models instead of training), into
``build/executed/<profile>-pretrained/``; ``--pretrained-where-possible`` runs every lesson into
the profile's folder, those with the parameter with it set, but for those ``--training`` names
(they train, as written). A lesson that fails, or that takes longer than ``--max-seconds``,
makes the command exit non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="smoke", choices=["smoke", "cpu", "gpu"])
    parser.add_argument("--only", nargs="*", default=None,
                        help="lesson numbers or name fragments, e.g. 02 05")
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="fail a lesson that runs longer (default: 90 for smoke)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timings", type=Path, default=None,
                        help="also write this run's wall times as a Markdown table here")
    parser.add_argument("--pretrained", action="store_true",
                        help="the lessons with a PRETRAINED parameter, with it True")
    parser.add_argument("--pretrained-where-possible", action="store_true",
                        help="every lesson, those with a PRETRAINED parameter with it True, "
                             "into the profile's own folder (make test: nbval has already "
                             "run the other branch)")
    parser.add_argument("--training", nargs="*", default=[],
                        help="with --pretrained-where-possible: these lessons (numbers or "
                             "fragments) keep PRETRAINED as written, so they train")
    args = parser.parse_args()
    limit = args.max_seconds or (90.0 if args.profile == "smoke" else None)

    import papermill as pm

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GANDETEXTURE_OUTPUT", str(ROOT / "build" / "outputs"))
    # A capped run (GANDETEXTURE_MAX_STEPS, a testing aid) gets its own folder, e.g. gpu-max2.
    from gandetexture.config import resolve_profile

    folder = resolve_profile(args.profile).folder + ("-pretrained" if args.pretrained else "")
    out_dir = ROOT / "build" / "executed" / folder
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.only:
        paths = picked(paths, args.only)
    parameters = {"PROFILE": args.profile, "SEED": args.seed}
    # the lessons that get PRETRAINED = True (each notebook's parameters cell read once)
    switched = {p for p in paths if has_parameter(p, "PRETRAINED")} \
        if args.pretrained or args.pretrained_where_possible else set()
    switched -= set(picked(paths, args.training))
    if args.pretrained:
        paths = [p for p in paths if p in switched]
    timings_file = out_dir / "timings.json"
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    failures, this_run = [], {}
    for path in paths:
        print(f"--- {path.name} (profile {args.profile})", flush=True)
        start = time.perf_counter()
        try:
            pm.execute_notebook(str(path), str(out_dir / path.name), cwd=str(NOTEBOOKS),
                                parameters={**parameters, **({"PRETRAINED": True}
                                                             if path in switched else {})},
                                kernel_name="python3", progress_bar=False, log_output=False)
        except Exception as error:  # papermill raises PapermillExecutionError with the cell
            failures.append(f"{path.name}: {str(error).strip().splitlines()[-1]}")
            print(f"FAILED {path.name}\n{error}", flush=True)
            this_run[path.stem] = None
            continue
        seconds = time.perf_counter() - start
        timings[path.stem] = this_run[path.stem] = round(seconds, 1)
        print(f"    {seconds:6.1f} s", flush=True)
        if limit and seconds > limit:
            failures.append(f"{path.name}: {seconds:.1f} s is over the {limit:.0f} s budget")
    timings_file.write_text(json.dumps(timings, indent=2, sort_keys=True) + "\n")
    if args.timings:
        args.timings.parent.mkdir(parents=True, exist_ok=True)
        args.timings.write_text(timings_table(this_run, args.profile))
    print(f"\n| lesson | seconds ({args.profile}) |\n|---|---|")
    for name in sorted(timings):
        print(f"| {name} | {timings[name]} |")
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{len(paths) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def picked(paths: list[Path], fragments: list[str]) -> list[Path]:
    """The lessons among ``paths`` named by a number (``05``) or a fragment of the name."""
    return [p for p in paths if any(p.name.startswith(f) or f in p.name for f in fragments)]


def has_parameter(path: Path, name: str) -> bool:
    """Whether the ``parameters`` cell of a notebook assigns ``name``."""
    import nbformat

    cells = nbformat.read(path, as_version=4).cells
    return any("parameters" in c.metadata.get("tags", []) and
               any(line.startswith(f"{name} =") for line in c.source.splitlines())
               for c in cells)


def timings_table(seconds: dict[str, float | None], profile: str) -> str:
    """One run's wall times as Markdown: a row per lesson (``None``: it failed), a total, and
    the machine it ran on (``nvidia-smi``'s GPU names when there is one)."""
    rows = [f"| {name} | {'failed' if s is None else f'{s:.1f}'} | "
            f"{'' if s is None else f'{s / 60:.1f}'} |" for name, s in sorted(seconds.items())]
    total = sum(s for s in seconds.values() if s is not None)
    return "\n".join([
        f"# Lesson wall times, profile `{profile}`", "",
        f"Machine: {platform.node()} ({os.cpu_count()} CPU threads); GPU: {_gpus()}", "",
        "| lesson | seconds | minutes |", "|---|---:|---:|", *rows,
        f"| **total** | {total:.1f} | {total / 60:.1f} |", ""])


def _gpus() -> str:
    """The GPUs ``nvidia-smi`` lists, or ``"none"``."""
    if shutil.which("nvidia-smi") is None:
        return "none"
    done = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
                          capture_output=True, text=True)
    names = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return "; ".join(names) if done.returncode == 0 and names else "none"


if __name__ == "__main__":
    sys.exit(main())
