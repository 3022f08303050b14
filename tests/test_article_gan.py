"""Lesson 02's pieces: the article's MLP networks made right, and its training, rerun."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

import gandetexture as gdt
from gandetexture import article, cli, datasets, exemplars, losses, networks, steps, training


def test_mlp_generator_maps_noise_to_images_in_range():
    generator = networks.build_mlp_generator()
    images = generator(tf.random.normal([4, 100]), training=False)
    assert images.shape == (4, 32, 32, 3)
    assert float(tf.reduce_min(images)) >= -1.0 and float(tf.reduce_max(images)) <= 1.0
    assert networks.count_params(generator) == 3_835_136


def test_mlp_discriminator_returns_one_logit_per_image():
    discriminator = networks.build_mlp_discriminator()
    logits = discriminator(tf.zeros([5, 32, 32, 3]))
    assert logits.shape == (5, 1)
    assert networks.count_params(discriminator) == 1_704_961
    assert discriminator.layers[-1].activation.__name__ == "linear"  # logits, not sigmoid


def test_exemplar_patches_are_seeded_and_in_range():
    a = exemplars.patches(count=10, seed=3)
    b = exemplars.patches(count=10, seed=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (10, 32, 32, 3) and a.min() >= -1 and a.max() <= 1
    assert not np.array_equal(a, exemplars.patches(count=10, seed=4))


def _train(seed: int, steps_: int = 4) -> training.History:
    profile = gdt.setup("smoke", seed)
    real = exemplars.patches(count=profile.n_pairs, seed=seed)
    generator, discriminator = networks.build_mlp_generator(), networks.build_mlp_discriminator()
    step = steps.make_gan_step(generator, discriminator, training.adam(), training.adam(),
                               latent_dim=100, seed=seed)
    return training.fit(step, datasets.image_batches(real, profile.batch_size, seed=seed),
                        steps_, progress=False)


@pytest.fixture(scope="module")
def seed0_twice():
    return _train(0), _train(0)


def test_lesson02_training_twice_in_one_process_gives_the_same_losses(seed0_twice):
    first, second = seed0_twice
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        # identical to float32 round-off (a busy CPU may reorder a sum's last bit)
        np.testing.assert_allclose(first[key], second[key], rtol=1e-5, err_msg=key)
    assert [round(v, 4) for v in first["d_loss"]] == [round(v, 4) for v in second["d_loss"]]


def test_another_seed_gives_other_losses(seed0_twice):
    assert not np.allclose(seed0_twice[0]["d_loss"], _train(1)["d_loss"])


def test_gan_step_updates_both_networks():
    # the article's bug 3: images made outside the tape leave the generator untouched
    gdt.setup("smoke", 0)
    generator, discriminator = networks.build_mlp_generator(), networks.build_mlp_discriminator()
    before = [w.numpy().copy() for w in (generator.trainable_weights[0],
                                         discriminator.trainable_weights[0])]
    step = steps.make_gan_step(generator, discriminator, training.adam(), training.adam(),
                               latent_dim=100)
    step(exemplars.patches(count=8), tf.constant(0, tf.int64))
    after = [generator.trainable_weights[0].numpy(), discriminator.trainable_weights[0].numpy()]
    for old, new in zip(before, after):
        assert not np.array_equal(old, new)


def test_fit_stops_with_a_clear_message_on_nan():
    def step(batch, index):
        return {"loss": tf.constant(float("nan")) if int(index) == 2 else tf.constant(1.0)}

    with pytest.raises(training.TrainingDiverged, match="step 2: loss became nan") as info:
        training.fit(step, iter(range(10)), 5, progress=False)
    assert info.value.history["loss"][:2] == [1.0, 1.0]


def test_gan_step_supports_wgan_gp_and_its_penalty_changes_the_critic():
    """The shared step adds WGAN-GP's gradient penalty itself (the old step refused it)."""
    real = exemplars.patches(size=8, count=8)  # small images: the step is what is tested
    no_penalty = dataclasses.replace(losses.get("wgan-gp"), gradient_penalty_weight=0.0)
    critics, outputs = [], []
    for loss in ("wgan-gp", no_penalty):
        gdt.setup("smoke", 0)
        generator = networks.build_mlp_generator(image_shape=(8, 8, 3))
        discriminator = networks.build_mlp_discriminator((8, 8, 3))
        step = steps.make_gan_step(generator, discriminator, training.adam(), training.adam(),
                                   latent_dim=100, loss=loss)
        outputs.append({k: float(v) for k, v in step(real, tf.constant(0, tf.int64)).items()})
        critics.append(discriminator.trainable_weights[0].numpy())
    assert all(np.isfinite(v) for v in outputs[0].values())
    assert set(outputs[0]) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert outputs[0]["d_loss"] > outputs[1]["d_loss"]  # + 10 · penalty, same noise
    assert not np.allclose(critics[0], critics[1])


def test_the_command_line_trains_the_lessons_gan(tmp_path, capsys):
    """``train-article-gan`` and the lesson's ``article.train_gan`` (in memory, on the lesson's
    patches) are one code path: the same seed gives the same weights."""
    out = tmp_path / "run"
    assert cli.main(["train-article-gan", "--profile", "smoke", "--steps", "3", "--out",
                     str(out), "--quiet"]) == 0
    assert "3 steps in" in capsys.readouterr().out
    saved = article.load_generator(out)
    real = exemplars.patches(["brick", "grass", "gravel"], size=32,
                             count=gdt.PROFILES["smoke"].n_pairs, seed=0)
    lesson = article.train_gan("smoke", steps=3, real=real, progress=False).generator
    for a, b in zip(saved.get_weights(), lesson.get_weights()):
        np.testing.assert_array_equal(a, b)
    half = article.with_dtype(lesson, "float16")  # as the package ships it
    assert {w.dtype for w in half.weights} == {"float16"}
    widened = article.with_dtype(half, "float32")
    for a, b in zip(widened.get_weights(), lesson.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-7)
    assert cli.main(["train-article-gan", "--profile", "smoke", "--out", str(out)]) == 2
