"""Adversarial and reconstruction losses, computed from logits (numerically stable).

The article writes ``L_GAN = E[log D(x)] + E[log(1 − D(G(z)))]``, the *value* of the game
(:func:`gan_value`). With ``D = sigmoid(logit)``:

- the discriminator minimises ``−E[log D(x)] − E[log(1 − D(G(z)))]``, the binary
  cross-entropy with label 1 for real and 0 for fake (the article's ``L_D`` has the sign of
  its real term flipped);
- the generator, in the *minimax* form, minimises ``E[log(1 − D(G(z)))]``; in the
  *non-saturating* form used in practice it minimises ``−E[log D(G(z))]`` (label 1 for fake).

Every adversarial loss is an :class:`AdversarialLoss`, looked up with :func:`get`:

============== ============================================ ==================================
name           discriminator (critic) minimises             generator minimises
============== ============================================ ==================================
minimax        ``softplus(−r) + softplus(f)`` (BCE)          ``−softplus(f) = log(1 − σ(f))``
nonsaturating  same as minimax                              ``softplus(−f) = −log σ(f)``
lsgan          ``½(r − 1)² + ½ f²``                          ``½(f − 1)²``
hinge          ``relu(1 − r) + relu(1 + f)``                 ``−f``
wgan-gp        ``f − r`` + 10 · :func:`gradient_penalty`     ``−f``
============== ============================================ ==================================

(``r``, ``f``: the discriminator's raw outputs on real and fake samples, each term averaged over
the batch.) All adversarial losses take logits ``float32 [B, ...]`` (any real number, no
sigmoid applied) and return a scalar; they stay finite for logits as large as ``±1e4``.

The reconstruction loss :func:`l1` is the second term of the conditional GAN's generator loss
(pix2pix, lessons 04-05).

Using the gradient penalty in a train step
------------------------------------------
WGAN-GP is the one loss that needs the critic itself, not only its outputs. A train step checks
``adversarial.gradient_penalty_weight`` (0.0 for every other loss, so the branch is decided once,
when the ``tf.function`` is traced) and adds the penalty *inside* the discriminator's tape::

    adversarial = losses.get(name)
    with tf.GradientTape() as d_tape:
        real_logits = critic(real, training=True)
        fake_logits = critic(fake, training=True)
        d_loss = adversarial.discriminator(real_logits, fake_logits)
        if adversarial.gradient_penalty_weight:
            d_loss += adversarial.gradient_penalty_weight * losses.gradient_penalty(
                critic, real, fake, tf.stack([seed, step_index]))
    d_grads = d_tape.gradient(d_loss, critic.trainable_variables)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import tensorflow as tf

from gandetexture.config import stateless_key

Seed = int | tf.Tensor | tf.random.Generator


# --- building blocks -------------------------------------------------------------------------

def bce_from_logits(labels: tf.Tensor | float, logits: tf.Tensor) -> tf.Tensor:
    """Mean binary cross-entropy ``−[y log σ(l) + (1−y) log(1−σ(l))]``, stable for any logit."""
    logits = tf.convert_to_tensor(logits, tf.float32)
    labels = tf.broadcast_to(tf.cast(labels, tf.float32), tf.shape(logits))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def _mean(x: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.convert_to_tensor(x, tf.float32))


def gan_value(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """The article's ``L_GAN = E[log D(x)] + E[log(1 − D(G(z)))]``, from logits.

    It is the value of the minimax game (D maximises it, G minimises it); always ``≤ 0``, and
    ``−log 4 ≈ −1.386`` when D outputs 0.5 everywhere. Equal to ``−discriminator_loss``.
    ``log σ(r) = −softplus(−r)`` and ``log(1 − σ(f)) = −softplus(f)`` keep it finite.
    """
    return -_mean(tf.nn.softplus(-tf.convert_to_tensor(real_logits, tf.float32))) - _mean(
        tf.nn.softplus(tf.convert_to_tensor(fake_logits, tf.float32)))


# --- minimax and non-saturating (binary cross-entropy) ---------------------------------------

def discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """``L_D = −E[log D(x)] − E[log(1 − D(G(z)))]``: real → 1, fake → 0. In ``[0, ∞)``."""
    return bce_from_logits(1.0, real_logits) + bce_from_logits(0.0, fake_logits)


def generator_loss_minimax(fake_logits: tf.Tensor) -> tf.Tensor:
    """The article's generator term ``E[log(1 − D(G(z)))]`` (to be minimised); saturates early.

    Its gradient with respect to a logit is ``−σ(f)/B``, which vanishes when the discriminator
    confidently rejects the fakes (``D(G(z)) → 0``), exactly when the generator needs it.
    """
    return -bce_from_logits(0.0, fake_logits)


def generator_loss_nonsaturating(fake_logits: tf.Tensor) -> tf.Tensor:
    """``−E[log D(G(z))]``: the generator asks the discriminator to call its images real.

    Same fixed point as the minimax form, but its gradient ``−(1 − σ(f))/B`` is largest when
    ``D(G(z)) → 0``.
    """
    return bce_from_logits(1.0, fake_logits)


# --- least squares (LSGAN, Mao et al. 2017, a-b-c = 0-1-1) -------------------------------------

def lsgan_discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """``½ E[(D(x) − 1)²] + ½ E[D(G(z))²]`` on raw outputs (no sigmoid)."""
    real = tf.convert_to_tensor(real_logits, tf.float32)
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    return 0.5 * _mean(tf.square(real - 1.0)) + 0.5 * _mean(tf.square(fake))


def lsgan_generator_loss(fake_logits: tf.Tensor) -> tf.Tensor:
    """``½ E[(D(G(z)) − 1)²]``: pull the fakes' outputs to the real label 1."""
    return 0.5 * _mean(tf.square(tf.convert_to_tensor(fake_logits, tf.float32) - 1.0))


# --- hinge (geometric GAN; SAGAN, BigGAN) -----------------------------------------------------

def hinge_discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """``E[relu(1 − D(x))] + E[relu(1 + D(G(z)))]``: a margin of 1 on each side."""
    real = tf.convert_to_tensor(real_logits, tf.float32)
    fake = tf.convert_to_tensor(fake_logits, tf.float32)
    return _mean(tf.nn.relu(1.0 - real)) + _mean(tf.nn.relu(1.0 + fake))


def critic_generator_loss(fake_logits: tf.Tensor) -> tf.Tensor:
    """``−E[D(G(z))]``: the generator raises the critic's score (hinge and WGAN)."""
    return -_mean(fake_logits)


# --- Wasserstein with gradient penalty (Gulrajani et al. 2017) --------------------------------

def wasserstein_critic_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """``E[D(G(z))] − E[D(x)]``: minus the critic's estimate of the Wasserstein-1 distance.

    Unbounded on its own; the critic must be kept (close to) 1-Lipschitz, which is what
    :func:`gradient_penalty` does.
    """
    return _mean(fake_logits) - _mean(real_logits)


def _uniform(shape: tf.Tensor, seed_or_rng: Seed) -> tf.Tensor:
    if isinstance(seed_or_rng, tf.random.Generator):
        return seed_or_rng.uniform(shape, dtype=tf.float32)
    return tf.random.stateless_uniform(shape, seed=stateless_key(seed_or_rng), dtype=tf.float32)


def gradient_penalty(critic: Callable[..., tf.Tensor], real: tf.Tensor, fake: tf.Tensor,
                     seed_or_rng: Seed) -> tf.Tensor:
    """WGAN-GP's penalty ``E[(‖∇ D(x̂)‖₂ − 1)²]`` on points between real and fake samples.

    ``x̂ = ε·x + (1 − ε)·G(z)`` with one ``ε ~ U[0, 1]`` per sample (broadcast over the
    sample's other axes). Call it inside the critic's ``GradientTape`` and add
    ``loss.gradient_penalty_weight`` times it to the critic loss (see the module docstring):
    the penalty depends on the critic's weights through a gradient, and TensorFlow
    differentiates through that.

    Parameters
    ----------
    critic : callable
        ``critic(x) -> scores [B, ...]``; a Keras model is called with ``training=True``.
        Wrap a conditional critic: ``lambda y: critic([x_cond, y], training=True)``.
    real, fake : tf.Tensor
        ``float32 [B, ...]``, same shape (e.g. images ``[B, H, W, C] in [-1, 1]``).
    seed_or_rng : int, int tensor of shape [2], or tf.random.Generator
        Where ε comes from: an int or a stateless seed such as ``tf.stack([seed, step_index])``
        (reruns and resumed runs draw the same ε), or a ``tf.random.Generator``.

    Returns
    -------
    tf.Tensor
        Scalar ``≥ 0``; 0 exactly when the critic's gradient has norm 1 at every ``x̂``.
    """
    real = tf.convert_to_tensor(real, tf.float32)
    fake = tf.convert_to_tensor(fake, tf.float32)
    batch = tf.shape(real)[0]
    ones = tf.ones([tf.rank(real) - 1], tf.int32)
    eps = _uniform(tf.concat([[batch], ones], axis=0), seed_or_rng)
    between = eps * real + (1.0 - eps) * fake
    squares, _ = _squared_input_gradients(critic, between)
    norms = tf.sqrt(squares + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


def r1_penalty(critic: Callable[..., tf.Tensor], real: tf.Tensor) -> tf.Tensor:
    """R1 (Mescheder et al. 2018): ``E[‖∇ₓ D(x)‖²]`` on *real* samples only.

    It keeps the discriminator flat where the data are, so it cannot push the generator with
    ever steeper gradients around the real samples (the oscillation that makes GAN training
    differ so much from seed to seed). A train step adds ``γ/2`` times it to the critic loss,
    inside the critic's tape (see :func:`gradient_penalty`).

    For a patch discriminator (a map of ``P`` logits per image) the gradient is that of the
    logits' sum, divided by ``P``: for patches that did not overlap this would be the mean of
    each patch's own ``‖∇ D_p‖²``, so ``γ`` means the same whatever the crop size.

    Parameters
    ----------
    critic : callable
        ``critic(x) -> logits [B, ...]``; a Keras model is called with ``training=True``.
    real : tf.Tensor
        ``float32 [B, ...]`` real samples (images ``[B, H, W, C] in [-1, 1]``).

    Returns
    -------
    tf.Tensor
        Scalar ``≥ 0``.
    """
    squares, logits = _squared_input_gradients(critic, tf.convert_to_tensor(real, tf.float32))
    patches = tf.cast(tf.size(logits) // tf.shape(logits)[0], tf.float32)
    return tf.reduce_mean(squares) / patches


def _squared_input_gradients(critic: Callable[..., tf.Tensor],
                             x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """``‖∇ₓ Σ critic(x)‖²`` per sample, ``[B]``, and the critic's scores at ``x``.

    The two penalties' shared part: a Keras model is called with ``training=True``; a
    score map's gradient is that of its sum (what ``tape.gradient`` of a non-scalar gives).
    """
    call = (lambda y: critic(y, training=True)) if hasattr(critic, "trainable_variables") \
        else critic
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = call(x)
    grads = tape.gradient(scores, x)
    return tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads))), scores


# --- reconstruction ----------------------------------------------------------------------------

def l1(prediction: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """Mean absolute error ``E|prediction − target|`` (pix2pix's reconstruction term).

    Both ``float32 [B, ...]`` of the same shape (images: ``[B, H, W, 3] in [-1, 1]``).
    """
    prediction = tf.convert_to_tensor(prediction, tf.float32)
    return _mean(tf.abs(prediction - tf.cast(target, tf.float32)))


def ssim_loss(prediction: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """``1 − SSIM(prediction, target)``, the mean over the batch of ``tf.image.ssim``.

    Both ``float32 [B, H, W, C] in [-1, 1]`` (so ``max_val = 2``), ``H, W ≥ 11``. SSIM compares
    local means, contrasts and correlations in 11-px Gaussian windows: faint texture left on a
    flat region costs little L1 but much SSIM. 0 for identical images, at most 2.
    """
    prediction = tf.convert_to_tensor(prediction, tf.float32)
    return 1.0 - tf.reduce_mean(tf.image.ssim(prediction, tf.cast(target, tf.float32), 2.0))


# --- the interface -----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class AdversarialLoss:
    """A pair of discriminator and generator losses, the interface every training loop uses.

    Attributes
    ----------
    name : str
        Short name, e.g. ``"nonsaturating"``.
    discriminator : callable
        ``(real_logits, fake_logits) -> scalar`` to be minimised by the discriminator.
    generator : callable
        ``(fake_logits) -> scalar`` to be minimised by the generator.
    gradient_penalty_weight : float
        Weight of :func:`gradient_penalty` that a train step adds to the discriminator loss
        (10.0 for ``"wgan-gp"``, 0.0 otherwise: then the step skips the penalty).
    """

    name: str
    discriminator: Callable[[tf.Tensor, tf.Tensor], tf.Tensor]
    generator: Callable[[tf.Tensor], tf.Tensor]
    gradient_penalty_weight: float = 0.0


LOSSES: dict[str, AdversarialLoss] = {
    "minimax": AdversarialLoss("minimax", discriminator_loss, generator_loss_minimax),
    "nonsaturating": AdversarialLoss("nonsaturating", discriminator_loss,
                                     generator_loss_nonsaturating),
    "lsgan": AdversarialLoss("lsgan", lsgan_discriminator_loss, lsgan_generator_loss),
    "hinge": AdversarialLoss("hinge", hinge_discriminator_loss, critic_generator_loss),
    "wgan-gp": AdversarialLoss("wgan-gp", wasserstein_critic_loss, critic_generator_loss,
                               gradient_penalty_weight=10.0),
}

#: The adversarial losses' names, in the order lessons show them.
NAMES: tuple[str, ...] = tuple(LOSSES)

_ALIASES = {"nonsat": "nonsaturating", "ns": "nonsaturating", "leastsquares": "lsgan",
            "lsq": "lsgan", "wgangp": "wgan-gp", "wgan": "wgan-gp"}


def get(name: str | AdversarialLoss) -> AdversarialLoss:
    """Look up an :class:`AdversarialLoss` by name (an instance is returned unchanged).

    Names are those of :data:`NAMES`; case, ``-``, ``_`` and spaces are ignored, so
    ``"non-saturating"``, ``"least_squares"`` and ``"WGAN_GP"`` work too.

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    if isinstance(name, AdversarialLoss):
        return name
    if isinstance(name, str):
        key = name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
        for canonical in LOSSES:
            if key == canonical.replace("-", ""):
                return LOSSES[canonical]
        if key in _ALIASES:
            return LOSSES[_ALIASES[key]]
    known = ", ".join(NAMES)
    raise ValueError(f"unknown adversarial loss {name!r}; choose one of {known}")
