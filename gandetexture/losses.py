"""Adversarial losses, computed from logits (numerically stable).

The article writes ``L_GAN = E[log D(x)] + E[log(1 − D(G(z)))]``. With ``D = sigmoid(logit)``:

- the discriminator minimises ``−E[log D(x)] − E[log(1 − D(G(z)))]``, the binary
  cross-entropy with label 1 for real and 0 for fake;
- the generator, in the *minimax* form, minimises ``E[log(1 − D(G(z)))]``; in the
  *non-saturating* form used in practice it minimises ``−E[log D(G(z))]`` (label 1 for fake).

All functions take logits ``float32 [B, ...]`` (any real number) and return a scalar.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import tensorflow as tf


def bce_from_logits(labels: tf.Tensor | float, logits: tf.Tensor) -> tf.Tensor:
    """Mean binary cross-entropy ``−[y log σ(l) + (1−y) log(1−σ(l))]``, stable for any logit."""
    logits = tf.convert_to_tensor(logits, tf.float32)
    labels = tf.broadcast_to(tf.cast(labels, tf.float32), tf.shape(logits))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """``L_D = −E[log D(x)] − E[log(1 − D(G(z)))]``: real → 1, fake → 0."""
    return bce_from_logits(1.0, real_logits) + bce_from_logits(0.0, fake_logits)


def generator_loss_minimax(fake_logits: tf.Tensor) -> tf.Tensor:
    """The article's generator term ``E[log(1 − D(G(z)))]`` (to be minimised); saturates early."""
    return -bce_from_logits(0.0, fake_logits)


def generator_loss_nonsaturating(fake_logits: tf.Tensor) -> tf.Tensor:
    """``−E[log D(G(z))]``: the generator asks the discriminator to call its images real."""
    return bce_from_logits(1.0, fake_logits)


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
    """

    name: str
    discriminator: Callable[[tf.Tensor, tf.Tensor], tf.Tensor]
    generator: Callable[[tf.Tensor], tf.Tensor]


LOSSES: dict[str, AdversarialLoss] = {
    "minimax": AdversarialLoss("minimax", discriminator_loss, generator_loss_minimax),
    "nonsaturating": AdversarialLoss("nonsaturating", discriminator_loss,
                                     generator_loss_nonsaturating),
}


def get(name: str | AdversarialLoss) -> AdversarialLoss:
    """Look up an :class:`AdversarialLoss` by name (an instance is returned unchanged)."""
    if isinstance(name, AdversarialLoss):
        return name
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(sorted(LOSSES))
        raise ValueError(f"unknown adversarial loss {name!r}; choose one of {known}") from None
