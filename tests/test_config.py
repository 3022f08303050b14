"""Profiles, seeding and output folders."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import gandetexture as gdt
from gandetexture import config


def test_profiles_table_has_the_three_budgets():
    assert list(config.PROFILES) == ["smoke", "cpu", "gpu"]
    table = gdt.profile_table()
    for name in ("smoke", "cpu", "gpu", "batch_size", "gan_steps"):
        assert name in table


def test_budgets_grow_from_smoke_to_gpu():
    smoke, cpu, gpu = (config.PROFILES[n] for n in ("smoke", "cpu", "gpu"))
    for field in ("gan_steps", "remover_steps", "texture_steps", "toy_steps", "n_pairs"):
        assert getattr(smoke, field) < getattr(cpu, field) <= getattr(gpu, field), field


def test_parameter_beats_environment_beats_auto(monkeypatch):
    monkeypatch.setenv(config.ENV_PROFILE, "smoke")
    assert gdt.resolve_profile("auto").name == "smoke"
    assert gdt.resolve_profile(None).name == "smoke"
    assert gdt.resolve_profile("cpu").name == "cpu"
    assert gdt.resolve_profile(gdt.PROFILES["gpu"]) is gdt.PROFILES["gpu"]
    monkeypatch.delenv(config.ENV_PROFILE)
    expected = "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
    assert gdt.resolve_profile("auto").name == expected


def test_unknown_profile_is_a_clear_error(monkeypatch):
    with pytest.raises(ValueError, match="unknown profile 'laptop'.*smoke, cpu, gpu"):
        gdt.resolve_profile("laptop")
    monkeypatch.setenv(config.ENV_PROFILE, "tpu")
    with pytest.raises(ValueError, match="GANDETEXTURE_PROFILE='tpu'"):
        gdt.resolve_profile("auto")


def test_set_seed_makes_numpy_tf_and_keras_repeat():
    def draw():
        gdt.set_seed(7)
        dense = tf.keras.layers.Dense(3)
        dense.build((None, 2))
        return np.random.rand(3), tf.random.uniform([3]).numpy(), dense.kernel.numpy()

    for a, b in zip(draw(), draw()):
        np.testing.assert_array_equal(a, b)


def test_setup_returns_profile_and_reports_it(capsys, monkeypatch):
    profile = gdt.setup("smoke", 3, lesson="99_test")
    assert profile is config.PROFILES["smoke"]
    out = capsys.readouterr().out
    assert "profile: smoke (seed 3)" in out and "99_test" in out


def test_output_dir_is_created_under_the_environment_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(config.ENV_OUTPUT, str(tmp_path))
    path = gdt.output_dir("02_x", "cpu")
    assert path == tmp_path / "02_x" / "cpu" and path.is_dir()


@pytest.mark.parametrize("name", ["smoke", "cpu", "gpu"])
def test_remover_sizes_equal_the_old_fallback_rules(name):
    """Before issue 10 these were helpers with 0-means-default fields; the numbers stay."""
    profile = config.PROFILES[name]
    assert profile.remover_width == (16 if name == "cpu" else profile.width)
    assert profile.remover_batch_size == (16 if name == "cpu" else profile.batch_size)
    assert profile.bank_size == int(np.clip(profile.n_pairs // 2, 32, 2048))
    assert profile.eval_count == int(np.clip(profile.n_pairs // 64, 16, 64))
    expected = {"smoke": (8, 8, 32, 16), "cpu": (16, 16, 2048, 64), "gpu": (64, 64, 2048, 64)}
    assert (profile.remover_width, profile.remover_batch_size, profile.bank_size,
            profile.eval_count) == expected[name]
    assert all(isinstance(v, int) for v in (profile.bank_size, profile.eval_count))


def test_profile_fields_have_no_zero_sentinels():
    import dataclasses

    for profile in config.PROFILES.values():
        for field in dataclasses.fields(profile):
            if field.name == "max_steps":  # the testing aid's cap: 0 is "not capped"
                continue
            if field.name in config.SWITCHES:  # on/off switches: False is a setting
                continue
            assert getattr(profile, field.name), (profile.name, field.name)
            assert field.default is dataclasses.MISSING, field.name


def test_profile_table_shows_the_size_rules():
    table = gdt.profile_table()
    assert "remover_width" in table and "bank_size" in table and "eval_count" in table
    row = next(line for line in table.splitlines() if line.startswith("bank_size"))
    assert row.split()[1:] == ["32", "2048", "2048"]


def test_max_steps_caps_every_step_count_and_moves_the_outputs(monkeypatch, tmp_path):
    monkeypatch.setenv(config.ENV_MAX_STEPS, "3")
    monkeypatch.setenv(config.ENV_OUTPUT, str(tmp_path))
    gpu = config.resolve_profile("gpu")
    assert (gpu.remover_steps, gpu.texture_steps, gpu.gan_steps, gpu.toy_steps) == (3, 3, 3, 3)
    real = config.PROFILES["gpu"]
    assert (gpu.image_size, gpu.width, gpu.depth) == (real.image_size, real.width, real.depth)
    assert gpu.eval_count == config.PROFILES["smoke"].eval_count == 16
    assert gpu.pick({"smoke": 1, "gpu": 2}) == 1 and real.pick({"smoke": 1, "gpu": 2}) == 2
    assert gpu.batch_size == gpu.remover_batch_size == 8
    assert gpu.steps(300) == 3 and gpu.steps(2) == 2
    assert config.output_dir("05", gpu) == tmp_path / "05" / "gpu-max3"
    monkeypatch.delenv(config.ENV_MAX_STEPS)
    assert config.resolve_profile("gpu") == config.PROFILES["gpu"]
    assert config.PROFILES["gpu"].steps(300) == 300


@pytest.mark.parametrize("raw", ["0", "-1", "two"])
def test_a_bad_step_cap_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(config.ENV_MAX_STEPS, raw)
    with pytest.raises(ValueError, match=config.ENV_MAX_STEPS):
        config.resolve_profile("cpu")
