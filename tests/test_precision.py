"""Mixed precision (issue 13): ``training.precision`` and ``training.loss_scaled`` around the
one adversarial step, on tiny networks. Only what a CPU can check: dtypes, finite losses,
loss scaling, the policy left as it was, the command-line flag, and every profile keeping
float32 (no GPU has measured mixed precision). Speed is ``benchmarks/train_step.py``'s."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import gandetexture as gdt  # noqa: F401  (quiet TensorFlow first)
from gandetexture import cli, config, networks, steps, texture, training

TEXTURE = texture.TextureConfig(crop=16, batch_size=2, width=2, upsamplings=2,
                                local_channels=2, global_channels=1, steps=2, gray=True)


def index(i: int) -> tf.Tensor:
    return tf.constant(i, tf.int64)


def float32_everywhere(*models: keras.Model) -> bool:
    return all(w.dtype == "float32" for model in models for w in model.weights)


@pytest.fixture(scope="module")
def mixed_remover():
    """A tiny U-Net/PatchGAN built in ``precision(True)``, its step and 6 steps' outputs."""
    policy = keras.mixed_precision.global_policy().name
    keras.utils.set_random_seed(0)
    with training.precision(True):
        g = networks.build_unet_generator(width=2, depth=2)
        d = networks.build_patchgan_discriminator(width=2, n_down=1)
    after = keras.mixed_precision.global_policy().name
    g_opt, d_opt = (training.loss_scaled(training.adam(), True) for _ in range(2))
    step = steps.make_remover_step(g, d, g_opt, d_opt)
    textured = tf.random.stateless_uniform([2, 16, 16, 3], [0, 2], -1, 1)
    batch = (textured, tf.clip_by_value(textured * 0.5, -1, 1))
    before = [w.copy() for w in g.get_weights()]
    outputs = [step(batch, index(i)) for i in range(6)]
    return {"policy": (policy, after), "g": g, "d": d, "g_opt": g_opt, "d_opt": d_opt,
            "batch": batch, "outputs": outputs, "before": before}


def test_the_policy_is_scoped_and_restored(mixed_remover):
    assert mixed_remover["policy"] == ("float32", "float32")
    with pytest.raises(RuntimeError), training.precision(True):
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
        raise RuntimeError("a failing cell")
    assert keras.mixed_precision.global_policy().name == "float32"
    assert keras.layers.Dense(2).dtype_policy.name == "float32"  # built later: float32


def test_mixed_networks_compute_in_float16_and_end_in_float32(mixed_remover):
    g, d = mixed_remover["g"], mixed_remover["d"]
    assert g.get_layer("down2_conv").compute_dtype == "float16"
    assert d.get_layer("logits").compute_dtype == "float32"  # logits in float32
    textured, structure = mixed_remover["batch"]
    assert g(textured).dtype == tf.float32 and d([textured, structure]).dtype == tf.float32
    assert float32_everywhere(g, d)  # variables stay float32
    assert all(v.dtype == "float32" for v in mixed_remover["g_opt"].variables
               if "int" not in v.dtype)  # Adam's moments and the loss scale too


def test_mixed_step_losses_are_float32_finite_and_the_networks_learn(mixed_remover):
    for outputs in mixed_remover["outputs"]:
        assert set(outputs) == {"d_loss", "g_adv", "g_l1", "d_real", "d_fake"}
        for name, value in outputs.items():
            assert value.dtype == tf.float32 and np.isfinite(float(value)), name
    # a step whose float16 gradients overflow is skipped and the scale halved (G's loss holds
    # 100 × L1, so its first steps are); the others update
    g_opt, d_opt = mixed_remover["g_opt"], mixed_remover["d_opt"]
    assert float(g_opt.dynamic_scale) < 2.0 ** 15
    assert 0 < int(g_opt.iterations) <= 6 and 0 < int(d_opt.iterations) <= 6
    moved = [not np.array_equal(a, b)
             for a, b in zip(mixed_remover["before"], mixed_remover["g"].get_weights())]
    assert any(moved)


def test_the_loss_is_scaled_only_by_a_loss_scale_optimizer():
    plain = training.adam()
    assert training.loss_scaled(plain, False) is plain
    loss = tf.constant(0.5)
    assert plain.scale_loss(loss) is loss  # the float32 step is unchanged
    scaled = training.loss_scaled(training.adam(), True)
    assert isinstance(scaled, keras.mixed_precision.LossScaleOptimizer)
    assert float(scaled.scale_loss(loss)) == 0.5 * 2.0 ** 15


def test_mixed_texture_gan_with_its_average_runs():
    keras.utils.set_random_seed(0)
    with training.precision(True):
        g, d = networks.build_texture_generator(TEXTURE), networks.build_texture_discriminator(
            TEXTURE)
        average = networks.build_texture_generator(TEXTURE)
    average.set_weights(g.get_weights())
    step = texture.make_texture_step(
        g, d, *(training.loss_scaled(training.adam(), True) for _ in range(2)), TEXTURE,
        average)
    outputs = step(tf.random.stateless_uniform([2, 16, 16, 3], [0, 3], -1, 1), index(0))
    assert all(v.dtype == tf.float32 and np.isfinite(float(v)) for v in outputs.values())
    assert float32_everywhere(g, d, average)
    assert g.get_layer("tanh").compute_dtype == "float32"
    assert g.get_layer("gray_to_rgb").compute_dtype == "float32"


@pytest.mark.parametrize("command", [["train-remover"], ["train-texture", "--exemplar", "brick"]])
def test_the_mixed_precision_flag_parses(command):
    parser = cli.build_parser()
    assert parser.parse_args([*command, "--out", "x", "--mixed-precision"]).mixed_precision
    assert not parser.parse_args([*command, "--out", "x"]).mixed_precision


def test_every_profile_keeps_float32_and_no_xla_until_a_gpu_measures_them():
    for profile in config.PROFILES.values():
        assert (profile.xla, profile.mixed_precision) == (False, False), profile.name
    assert "mixed_precision" not in config.profile_table()
