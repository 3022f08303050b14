"""The classifier two-sample test of :mod:`gandetexture.yardstick` (Lopez-Paz & Oquab 2017): a
small CNN trained from scratch to tell crops of real texture from crops of a candidate, scored
on parts of both images it did not train on. :func:`gandetexture.yardstick.judge` runs it
against the held-out half; ``yardstick.two_sample_accuracy`` is this module's.
"""

from __future__ import annotations

import numpy as np

from gandetexture import exemplars


def _classifier(crop: int):
    """The two-sample test's CNN: 4 × (3×3 conv, stride 2, LeakyReLU 0.2) with 16-32-64-64
    filters, global average pooling, one logit. ``[B, crop, crop, 3] in [-1, 1] -> [B, 1]``."""
    import keras
    from keras import layers

    inputs = keras.Input((crop, crop, 3))
    x = inputs
    for filters in (16, 32, 64, 64):
        x = layers.Conv2D(filters, 3, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(1)(x), name="two_sample_classifier")


def _one_image(image: np.ndarray, name: str) -> np.ndarray:
    """``image`` as ``float32 [H, W, 3]``, or a ``ValueError`` naming it (both splits' check)."""
    image = np.asarray(image, np.float32)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"two_sample_accuracy: {name} must be one image [H, W, 3]; "
                         f"got {image.shape}")
    return image


def _two_parts(image: np.ndarray, name: str, crop: int, axis: int | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """An image's two halves (the train and test parts of the two-sample test): along
    ``axis`` (``yardstick.halves``), or across its longer side, left and right when it is
    square."""
    image = _one_image(image, name)
    if axis is None:
        axis = 1 if image.shape[1] >= image.shape[0] else 0
    from gandetexture.yardstick import halves  # the exemplar's cut, defined with the judge

    first, second = halves(image, axis)
    exemplars.check_size(first, crop, f"{name} (each half of it)")
    return first, second


def _checkerboard(image: np.ndarray, name: str, block: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """An image cut into ``block``-px squares, dealt out like a checkerboard's two colours:
    the train and test parts of the two-sample test, each ``[N, block, block, 3]``.

    Both parts then cover the whole image, its light and its odd corners alike (the halves of
    a photograph differ: trained on one half of the held-out grass beside a painting of the
    GAN, the classifier called 80 % of the other half's crops fake;
    ``benchmarks/judge_checkerboard.json``). A crop lies inside one square, so no test crop
    shares a pixel with a train crop. The pixels past the last whole square of a row or
    column are not used.
    """
    image = _one_image(image, name)
    rows, cols = image.shape[0] // block, image.shape[1] // block
    if rows * cols < 2:
        raise exemplars.ExemplarError(
            f"two_sample_accuracy: {name} is {image.shape[0]}×{image.shape[1]} px; the "
            f"two-sample test deals it out in {block}-px squares and needs at least two "
            f"(at least {block}×{2 * block} px), or a smaller crop")
    squares = [[image[i * block:(i + 1) * block, j * block:(j + 1) * block]
                for j in range(cols)] for i in range(rows)]
    return tuple(np.stack([squares[i][j] for i in range(rows) for j in range(cols)
                           if (i + j) % 2 == colour]) for colour in (0, 1))


def _draw(part: np.ndarray, crop: int, count: int, rng: np.random.Generator, name: str,
          flip: bool) -> np.ndarray:
    """``count`` random crops of a part in [-1, 1], half of them (at random) mirrored
    left-right when ``flip``. No rotations: brick rows are horizontal; orientation is texture.

    ``part`` is one image ``[H, W, 3]`` (a half) or a stack of squares ``[N, b, b, 3]``
    (:func:`_checkerboard`): each crop then lies in one square, drawn uniformly."""
    x = exemplars.random_crops(part, crop, count, rng, name)
    if flip:
        mirrored = rng.random(count) < 0.5
        x[mirrored] = x[mirrored, :, ::-1]
    return x * 2.0 - 1.0


def two_sample_accuracy(real: np.ndarray, candidate: np.ndarray, crop: int = 128,
                        steps: int = 150, batch_size: int = 16, seed: int = 0,
                        test_count: int = 128, both_ways: bool = True,
                        axis: int | None = None, centre: bool = True,
                        split: str = "checkerboard", per_class: bool = False
                        ) -> float | dict[str, float]:
    """How well a small CNN tells crops of ``candidate`` from crops of ``real``.

    Each image is dealt out into a train and a test part (``split``). A
    fresh CNN (:func:`_classifier`, Adam 1e-3, seeded) takes ``steps`` steps on batches of
    ``batch_size`` crops of real-train (label 1) and ``batch_size`` crops of candidate-train
    (label 0), mirrored left-right at random; it is then scored on ``test_count`` fresh crops
    of each test part. Scoring on parts it never saw is what makes this a test of the
    texture, not of memorised positions. With ``centre``, each crop's mean colour is taken
    away before the classifier sees it.

    Parameters
    ----------
    real : np.ndarray
        ``float32 [H, W, 3] in [0, 1]``: real texture (in ``yardstick.judge``, the held-out
        half, which the candidate's maker never saw: against the half it learned from, a classifier
        learns that half's patches and rates copies of them as real).
    candidate : np.ndarray
        ``float32 [H', W', 3] in [0, 1]``: one image (generated, quilted, another real
        region); each must hold two squares of ``split="checkerboard"`` (each half a
        ``crop × crop`` crop with ``split="halves"``).
    crop : int
        Crop size; large enough to hold the texture's largest element (128 for brick).
    both_ways : bool
        Also train on the test parts and score on the train parts, and return the mean of the
        two accuracies: a half of a photograph holds few independent crops, and on brick one
        way alone varies by 0.2 between seeds.
    split : {"checkerboard", "halves"}
        How each image becomes a train and a test part. ``"checkerboard"``: squares of
        ``2 × crop`` px dealt out alternately (:func:`_checkerboard`), so that both parts hold
        every region of the photograph. ``"halves"``: cut in the middle (:func:`_two_parts`),
        the judge until issue 12's grass check; a photograph's two halves differ in light and
        content, and the classifier learned one half instead of the texture (GAN grass that
        looks nothing like grass scored 0.40 and 0.44, below two real halves' 0.55; dealt out
        in squares, 0.83 and 0.85 against quilting's 0.67 to 0.74).
    axis : int, optional
        With ``split="halves"``: how to cut each image (``yardstick.halves``); default
        across its longer side, which leaves each part the most crop positions.
    centre : bool
        Take each crop's mean colour (per channel) away: the light changes across a
        photograph, and without this a classifier learns "this part is brighter", which says
        nothing of the texture (measured on gravel, 64-px crops: two real halves 0.69 told
        apart without, 0.64 with). Tone is the histograms' business; shapes, sharpness and
        noise remain to tell.
    per_class : bool
        Return ``{"accuracy", "real", "candidate"}``: besides the accuracy, the share of real
        test crops called real and of the candidate's called fake. A judge far below 0.5 on
        one class has learned something of its train part that the test part lacks.
    seed : int
        Crops (``np.random.default_rng(seed)``), weights and TensorFlow ops
        (:func:`gandetexture.config.set_seed`, which also turns on op determinism): the same
        seed gives the same accuracy.

    Returns
    -------
    float or dict
        Test accuracy in [0, 1]: 0.5 = cannot tell, 1.0 = always can (the mean of the two
        classes' accuracies, each over ``test_count`` crops per way); with ``per_class``, a
        dict (above).
    """
    import tensorflow as tf

    if split == "checkerboard":
        real_a, real_b = _checkerboard(real, "real", 2 * crop)
        cand_a, cand_b = _checkerboard(candidate, "candidate", 2 * crop)
    elif split == "halves":
        real_a, real_b = _two_parts(real, "real", crop, axis)
        cand_a, cand_b = _two_parts(candidate, "candidate", crop, axis)
    else:
        raise ValueError(f"two_sample_accuracy: split must be 'checkerboard' or 'halves'; "
                         f"got {split!r}")
    ways = [(real_a, real_b, cand_a, cand_b)] + [(real_b, real_a, cand_b, cand_a)] * both_ways
    # a fresh classifier (and tf.function) per call, by design: "frequent retracing" is noise
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")
    try:
        real_right, cand_right = np.mean([_c2st(*parts, crop, steps, batch_size, seed,
                                                test_count, centre) for parts in ways], axis=0)
    finally:
        logger.setLevel(level)
    accuracy = float((real_right + cand_right) / 2)
    if per_class:
        return {"accuracy": accuracy, "real": float(real_right), "candidate": float(cand_right)}
    return accuracy


def _centred(crops: np.ndarray) -> np.ndarray:
    """Each crop less its mean colour: ``[B, h, w, 3] -> [B, h, w, 3]``, each channel of each
    crop averaging 0."""
    return crops - crops.mean(axis=(1, 2), keepdims=True)


def _c2st(real_train, real_test, cand_train, cand_test, crop: int, steps: int,
          batch_size: int, seed: int, test_count: int, centre: bool = True
          ) -> tuple[float, float]:
    """One way of :func:`two_sample_accuracy`: train on the train parts, score on the test.
    Returns the accuracy on the real test crops and on the candidate's."""
    import keras
    import tensorflow as tf

    from gandetexture.config import set_seed

    set_seed(seed)
    rng = np.random.default_rng(seed)
    model = _classifier(crop)
    optimizer = keras.optimizers.Adam(1e-3)
    labels = tf.constant([1.0] * batch_size + [0.0] * batch_size)

    def train_step(batch):
        with tf.GradientTape() as tape:
            logits = model(batch, training=True)[:, 0]
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels, logits))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    # traced from 20 steps on: tracing costs more than a few eager steps (3 steps: 0.2 s
    # eager against 0.7 s traced)
    step = tf.function(train_step) if steps >= 20 else train_step
    for _ in range(steps):
        batch = np.concatenate([_draw(real_train, crop, batch_size, rng, "real", True),
                                _draw(cand_train, crop, batch_size, rng, "candidate", True)])
        step(tf.constant(_centred(batch) if centre else batch))
    correct = []
    for part, label in ((real_test, 1), (cand_test, 0)):
        x = _draw(part, crop, test_count, rng, "test", False)
        x = _centred(x) if centre else x
        logits = np.concatenate([model(x[i:i + 64], training=False).numpy()[:, 0]
                                 for i in range(0, test_count, 64)])
        correct.append(int(np.sum((logits > 0) == bool(label))) / test_count)
    return correct[0], correct[1]
