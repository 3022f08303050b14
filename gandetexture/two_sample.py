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


def _two_parts(image: np.ndarray, name: str, crop: int, axis: int | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """An image's two halves (the train and test parts of the two-sample test): along
    ``axis`` (``yardstick.halves``), or across its longer side, left and right when it is
    square."""
    image = np.asarray(image, np.float32)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"two_sample_accuracy: {name} must be one image [H, W, 3]; "
                         f"got {image.shape}")
    if axis is None:
        axis = 1 if image.shape[1] >= image.shape[0] else 0
    from gandetexture.yardstick import halves  # the exemplar's cut, defined with the judge

    first, second = halves(image, axis)
    exemplars.check_size(first, crop, f"{name} (each half of it)")
    return first, second


def _draw(image: np.ndarray, crop: int, count: int, rng: np.random.Generator, name: str,
          flip: bool) -> np.ndarray:
    """``count`` random crops of ``image`` in [-1, 1], half of them (at random) mirrored
    left-right when ``flip``. No rotations: brick rows are horizontal; orientation is texture."""
    x = exemplars.random_crops(image, crop, count, rng, name)
    if flip:
        mirrored = rng.random(count) < 0.5
        x[mirrored] = x[mirrored, :, ::-1]
    return x * 2.0 - 1.0


def two_sample_accuracy(real: np.ndarray, candidate: np.ndarray, crop: int = 128,
                        steps: int = 150, batch_size: int = 16, seed: int = 0,
                        test_count: int = 128, both_ways: bool = True,
                        axis: int | None = None, centre: bool = True) -> float:
    """How well a small CNN tells crops of ``candidate`` from crops of ``real``.

    Each image is split in the middle (:func:`_two_parts`) into a train and a test part. A
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
        region); each half of each image must hold a ``crop × crop`` crop.
    crop : int
        Crop size; large enough to hold the texture's largest element (128 for brick).
    both_ways : bool
        Also train on the test parts and score on the train parts, and return the mean of the
        two accuracies: a half of a photograph holds few independent crops, and on brick one
        way alone varies by 0.2 between seeds.
    axis : int, optional
        How to cut each image into its train and test parts (``yardstick.halves``); default
        across its longer side, which leaves each part the most crop positions.
    centre : bool
        Take each crop's mean colour (per channel) away: the light changes across a
        photograph, and without this a classifier learns "this part is brighter", which says
        nothing of the texture (measured on gravel, 64-px crops: two real halves 0.69 told
        apart without, 0.64 with). Tone is the histograms' business; shapes, sharpness and
        noise remain to tell.
    seed : int
        Crops (``np.random.default_rng(seed)``), weights and TensorFlow ops
        (:func:`gandetexture.config.set_seed`, which also turns on op determinism): the same
        seed gives the same accuracy.

    Returns
    -------
    float
        Test accuracy in [0, 1]: 0.5 = cannot tell, 1.0 = always can.
    """
    import tensorflow as tf

    real_a, real_b = _two_parts(real, "real", crop, axis)
    cand_a, cand_b = _two_parts(candidate, "candidate", crop, axis)
    ways = [(real_a, real_b, cand_a, cand_b)] + [(real_b, real_a, cand_b, cand_a)] * both_ways
    # a fresh classifier (and tf.function) per call, by design: "frequent retracing" is noise
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")
    try:
        return float(np.mean([_c2st(*parts, crop, steps, batch_size, seed, test_count,
                                    centre) for parts in ways]))
    finally:
        logger.setLevel(level)


def _centred(crops: np.ndarray) -> np.ndarray:
    """Each crop less its mean colour: ``[B, h, w, 3] -> [B, h, w, 3]``, each channel of each
    crop averaging 0."""
    return crops - crops.mean(axis=(1, 2), keepdims=True)


def _c2st(real_train, real_test, cand_train, cand_test, crop: int, steps: int,
          batch_size: int, seed: int, test_count: int, centre: bool = True) -> float:
    """One way of :func:`two_sample_accuracy`: train on the train parts, score on the test."""
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
    correct = 0
    for part, label in ((real_test, 1), (cand_test, 0)):
        x = _draw(part, crop, test_count, rng, "test", False)
        x = _centred(x) if centre else x
        logits = np.concatenate([model(x[i:i + 64], training=False).numpy()[:, 0]
                                 for i in range(0, test_count, 64)])
        correct += int(np.sum((logits > 0) == bool(label)))
    return correct / (2 * test_count)
