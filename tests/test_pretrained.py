"""The models the package ships: present, made as recorded, and still scoring what they did."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gandetexture import article, cli, config, losses, pretrained, texture, toy

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", pretrained.names())
def test_each_model_ships_with_its_record(name):
    folder = pretrained.folder(name)
    for file in pretrained.files(name):
        assert (folder / file).is_file(), f"{folder / file} is missing"
    record = pretrained.metrics(name)
    assert record["command"] == pretrained.command(name)
    expected = {"remover": {"psnr", "ssim"},
                "article_gan": {"gradient", "std", "patch_std", "psnr"},
                "toy": {f"{loss}/{key}" for loss in losses.NAMES
                        for key in ("covered", "high_quality", "reached")}}
    assert set(record["check"]) == expected.get(name, {"mean", "std", "gram"})
    assert json.loads((folder / "run.json").read_text())["complete"] is True


@pytest.mark.parametrize("name", pretrained.names())
def test_each_model_still_scores_its_metrics_json(name):
    """An architecture or a loader change that silently breaks a shipped model fails here."""
    recorded = pretrained.metrics(name)["check"]
    now = pretrained.check_scores(name)
    for key, value in recorded.items():
        assert abs(now[key] - value) <= 10 ** -pretrained.PRECISION, \
            f"{name}: {key} is {now[key]} now, metrics.json records {value}"


@pytest.mark.parametrize("name", pretrained.names())
def test_recipes_are_command_lines_of_the_package(name):
    args = cli.build_parser().parse_args([*pretrained.RECIPES[name], "--out", "runs/x"])
    assert args.profile == "cpu" and args.seed == 0


@pytest.mark.parametrize("name", ["brick", "grass", "gravel"])
def test_texture_models_have_lesson_06s_settings(name):
    """The shipped models are the ones lesson 06 trains under cpu: same configuration (the
    whole budget of train-texture; the periodic one a sixteenth of it, batch norm in D)."""
    profile = config.PROFILES["cpu"]
    expected = texture.TextureConfig.from_profile(profile, seed=0, exemplar=name, gray=True)
    assert pretrained.texture(name).config == expected
    assert not expected.d_batchnorm
    periodic = pretrained.texture("gravel", periodic=True).config
    assert periodic == dataclasses.replace(
        texture.TextureConfig.from_profile(profile, seed=0, periodic=True, d_batchnorm=True,
                                           steps=profile.texture_steps // 16),
        exemplar="gravel", gray=True)


def test_the_article_gan_ships_its_generator_in_float16_with_lesson_02s_record():
    """Half the bytes on disk (the wheel stays small), float32 once loaded; the whole history,
    since lesson 02 averages the losses of the last quarter of every step."""
    import keras

    stored = keras.saving.load_model(pretrained.folder("article_gan") / "model.keras",
                                     compile=False)
    assert {w.dtype for w in stored.weights} == {"float16"}
    generator = pretrained.article_gan()
    assert {w.dtype for w in generator.weights} == {"float32"}
    assert generator.output_shape == (None, 32, 32, 3)
    record, history = pretrained.metrics("article_gan"), pretrained.history("article_gan")
    assert len(history["step"]) == record["settings"]["steps"] == config.PROFILES["cpu"].gan_steps
    assert record["last_quarter"] == article.last_quarter(history)


def test_the_toy_gans_are_lesson_03s_runs():
    """One run per loss, as lesson 03 trains them under cpu: same length, same seed; the
    history thinned to every other step (the lesson plots it), the last step kept."""
    runs, record = pretrained.toy(), pretrained.metrics("toy")
    assert list(runs) == list(losses.NAMES)
    assert record["settings"] == {"profile": "cpu", "seed": 0,
                                  "steps": config.PROFILES["cpu"].toy_steps}
    for name, run in runs.items():
        assert run.generator.input_shape == (None, toy.LATENT_DIM)
        assert run.discriminator.output_shape == (None, 1)
        assert run.history["step"][-1] == record["settings"]["steps"] - 1
        assert run.seconds == record["train_s"][name]


def test_unknown_and_missing_models_say_what_exists(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="ships remover, brick"):
        pretrained.folder("marble")
    monkeypatch.setattr(pretrained, "MODELS", tmp_path)
    with pytest.raises(ValueError, match="make pretrained"):
        pretrained.remover()


def test_the_wheel_carries_the_models_and_stays_small(tmp_path):
    source = tmp_path / "source"  # a copy: setuptools writes build/ beside pyproject.toml
    shutil.copytree(ROOT / "gandetexture", source / "gandetexture",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for file in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / file, source / file)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                    "--no-build-isolation", "--quiet", "-w", str(tmp_path)], check=True)
    (wheel,) = tmp_path.glob("gandetexture-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in pretrained.names():
        for file in pretrained.files(name):
            assert f"gandetexture/models/{name}/{file}" in names
    assert "gandetexture/models/filters/tuned.json" in names  # lesson 07's filter settings
    assert wheel.stat().st_size < 25e6, f"{wheel.name}: {wheel.stat().st_size / 1e6:.1f} MB"
