# %% [markdown]
# # 03 · Adversarial losses and gradient descent: derived, computed, compared
#
# **In this lesson you will**
# - read the article's two loss formulas term by term, and find (by computing it) the sign
#   error in its discriminator loss;
# - see that the discriminator's loss is plain binary cross-entropy, and why we compute it
#   from logits;
# - do gradient descent by hand and match `keras.optimizers.SGD` to the last digit, then Adam;
# - measure why practice replaces the article's generator loss by the *non-saturating* one;
# - train a small 2-D GAN with five losses (minimax, non-saturating, least squares, hinge,
#   WGAN-GP) and count how many of 8 modes each one finds;
# - check the theory's optimum, `D*(x)` and the value `−log 4`, with numbers.
#
# Every loss used here lives in `gandetexture.losses` behind one interface,
# `losses.get(name)`, which the course's one train step (`steps.make_step`, met in lesson 02)
# uses for every GAN: lesson 02's, the toy GANs below, and those of lessons 05 and 06.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0
PRETRAINED = False  # True: load the course's shipped toy GANs instead of training them

# %%
import gandetexture as gdt

profile = gdt.setup(PROFILE, SEED, lesson="03_adversarial_losses")

# %%
import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Code

from gandetexture import losses, networks, plots, pretrained, toy, training

# %% [markdown]
# ## 1 · The article's formulas, term by term
#
# The article states the GAN objective as
#
# > $L_{GAN} = E_{x \sim p_{data}(x)}[log(D(x))] + E_{z \sim p_{z}(z)}[log(1 - D(G(z)))]$
#
# Read it piece by piece:
#
# - $D(x) \in (0, 1)$ is the discriminator's probability that $x$ is a real sample.
# - $E_{x \sim p_{data}}[\log D(x)]$ averages, over real samples, the log of the
#   probability that D calls them real. It is at most 0, and reaches 0 only when D says
#   "real" with certainty.
# - $G(z)$ is a generated sample; $1 - D(G(z))$ is the probability that D calls it fake, and
#   the second term averages its log over the generator's samples.
#
# So this is a *score of the discriminator*: D wants both terms large (close to 0), and the
# generator, which only appears in the second term, wants that term small. The original GAN
# paper writes it as a game, $\min_G \max_D V(D, G)$ with $V$ this very expression. The
# article calls it "the generator's loss"; that is true of the second term only: the first
# does not depend on G at all.
#
# Let us put numbers in. Four real samples and four fakes, and the probabilities some
# discriminator gives them:

# %%
# NBVAL_CHECK_OUTPUT
d_real = np.array([0.9, 0.8, 0.7, 0.95])  # D(x) on four real samples
d_fake = np.array([0.2, 0.1, 0.4, 0.3])  # D(G(z)) on four generated samples
term_real = np.mean(np.log(d_real))
term_fake = np.mean(np.log(1 - d_fake))
print(f"E[log D(x)]          = {term_real:+.4f}")
print(f"E[log(1 - D(G(z)))]  = {term_fake:+.4f}")
print(f"L_GAN (the value V)  = {term_real + term_fake:+.4f}")


# %% [markdown]
# The package computes the same value from *logits*, the raw outputs before the sigmoid
# ($D = \sigma(\text{logit})$), as `losses.gan_value`:

# %%
# NBVAL_CHECK_OUTPUT
def logit(p):
    return np.log(p) - np.log1p(-p)


real_logits = tf.constant(logit(d_real), tf.float32)
fake_logits = tf.constant(logit(d_fake), tf.float32)
print(f"losses.gan_value     = {float(losses.gan_value(real_logits, fake_logits)):+.4f}")


# %% [markdown]
# ## 2 · The sign error in the article's discriminator loss
#
# The discriminator *maximises* $V$, so the loss it *minimises* by gradient descent is
# $-V$:
#
# $$L_D = -E[\log D(x)] - E[\log(1 - D(G(z)))].$$
#
# The article's $L_D$ instead keeps $+E[\log D(x)]$ for the real samples and negates only
# the fake term, although its text says both terms measure D's errors. Compute both losses
# for three discriminators on the same numbers: a good one (real → 0.95, fake → 0.05), one
# that is confused (0.5 everywhere), and a useless one that calls *everything* fake
# (0.05 everywhere).

# %%
# NBVAL_CHECK_OUTPUT
def correct_d_loss(p_real, p_fake):
    return -np.mean(np.log(p_real)) - np.mean(np.log(1 - p_fake))


def article_d_loss(p_real, p_fake):
    return np.mean(np.log(p_real)) + np.mean(-np.log(1 - p_fake))


discriminators = {"good": (0.95, 0.05), "confused": (0.5, 0.5), "all fake": (0.05, 0.05)}
print(f"{'discriminator':<15}{'D(x)':>6}{'D(G(z))':>9}{'correct L_D':>13}{'article L_D':>13}")
for name, (p_r, p_f) in discriminators.items():
    p_r, p_f = np.full(4, p_r), np.full(4, p_f)
    print(f"{name:<15}{p_r[0]:>6}{p_f[0]:>9}{correct_d_loss(p_r, p_f):>13.4f}"
          f"{article_d_loss(p_r, p_f):>13.4f}")

# %% [markdown]
# The correct loss ranks them good < confused < all fake. The article's loss gives its
# *lowest* value to the discriminator that calls every real sample fake, so minimising it
# teaches D to reject real data. The gradient says the same: the derivative of the article's
# loss with respect to a real sample's logit is positive, so a descent step *lowers* D(x).

# %%
# NBVAL_CHECK_OUTPUT
x = tf.Variable(tf.zeros([1]))  # the logit of one real sample, D(x) = 0.5
with tf.GradientTape(persistent=True) as tape:
    article = tf.reduce_mean(tf.math.log_sigmoid(x))  # the article's real term: +log D(x)
    correct = -tf.reduce_mean(tf.math.log_sigmoid(x))  # the correct one: -log D(x)
print("d(article)/d(logit) =", float(tape.gradient(article, x)[0]), "-> descent lowers D(x)")
print("d(correct)/d(logit) =", float(tape.gradient(correct, x)[0]), "-> descent raises D(x)")

# %% [markdown]
# ## 3 · The discriminator's loss is binary cross-entropy
#
# Binary cross-entropy between a label $y \in \{0, 1\}$ and a probability $p$ is
# $-[y \log p + (1 - y)\log(1 - p)]$. With label 1 for real samples it is $-\log D(x)$; with
# label 0 for fakes it is $-\log(1 - D(G(z)))$. So the correct $L_D$ is the cross-entropy of
# the reals against 1 plus that of the fakes against 0, which is what
# `losses.discriminator_loss` computes. Check it against Keras's own implementation:

# %%
bce = keras.losses.BinaryCrossentropy(from_logits=True)
keras_d = bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits),
                                                            fake_logits)
ours_d = losses.get("minimax").discriminator(real_logits, fake_logits)
print(f"keras BCE: {float(keras_d):.6f}   losses: {float(ours_d):.6f}   "
      f"correct_d_loss: {correct_d_loss(d_real, d_fake):.6f}")

# %% [markdown]
# Why from logits? Because $\log \sigma(l)$ computed as "sigmoid, then log" breaks down in
# `float32` as soon as the discriminator is confident: $\sigma(-120)$ underflows to 0 and its
# log is $-\infty$. Written as $-\mathrm{softplus}(-l)$ the same quantity stays exact:

# %%
# NBVAL_CHECK_OUTPUT
confident = tf.constant([-120.0, -20.0, 0.0, 20.0], tf.float32)
print("log(sigmoid(l))  :", tf.math.log(tf.sigmoid(confident)).numpy())
print("-softplus(-l)    :", (-tf.nn.softplus(-confident)).numpy())

# %% [markdown]
# ## 4 · Gradient descent by hand
#
# The article's update rule is: new parameter = parameter − learning rate × gradient of
# the loss, $\theta \leftarrow \theta - \alpha\, \partial L / \partial \theta$. Take the
# smallest discriminator there is, one parameter $w$ with $D(x) = \sigma(w x)$, one real
# sample $x_r = 1$ and one fake $x_f = -0.5$. Its loss is the cross-entropy above:
#
# $$L(w) = \mathrm{softplus}(-w x_r) + \mathrm{softplus}(w x_f), \qquad
# \frac{\partial L}{\partial w} = -x_r\,\sigma(-w x_r) + x_f\,\sigma(w x_f).$$
#
# First, the derivative by hand against `tf.GradientTape`:

# %%
x_r, x_f = 1.0, -0.5


def one_param_loss(w):
    return losses.discriminator_loss(w * x_r, w * x_f)


def one_param_grad(w):  # the derivative, worked out by hand
    return -x_r * tf.sigmoid(-w * x_r) + x_f * tf.sigmoid(w * x_f)


w = tf.Variable(0.3)
with tf.GradientTape() as tape:
    loss = one_param_loss(w)
print(f"L(0.3) = {float(loss):.6f}")
print(f"tape gradient {float(tape.gradient(loss, w)):.7f}, by hand {float(one_param_grad(w)):.7f}")

# %% [markdown]
# Now five steps of the update rule, once by hand and once with `keras.optimizers.SGD`,
# from the same start. The printout shows the exact bits of each `float32` (as a
# hexadecimal float), not a rounded decimal:

# %%
learning_rate = 0.5
w_opt = tf.Variable(0.3)
w_hand = tf.constant(0.3)
sgd = keras.optimizers.SGD(learning_rate=learning_rate)
for t in range(1, 6):
    with tf.GradientTape() as tape:
        loss = one_param_loss(w_opt)
    grad = tape.gradient(loss, w_opt)
    w_hand = w_hand - tf.constant(learning_rate) * grad  # θ ← θ − α ∂L/∂θ
    sgd.apply_gradients([(grad, w_opt)])
    same = w_hand.numpy() == w_opt.numpy()
    print(f"step {t}: by hand {float(w_hand.numpy()).hex()}  SGD {float(w_opt.numpy()).hex()}"
          f"  identical: {same}")

# %% [markdown]
# Bit for bit the same: SGD *is* the article's update rule. Adam, the optimizer the course
# uses, adds two running averages per parameter: $m$ of the gradient (momentum, weight
# $\beta_1$) and $v$ of its square (weight $\beta_2$), corrects them for starting at zero,
# and divides: $\theta \leftarrow \theta - \alpha_t\, m / (\sqrt{v} + \epsilon)$ with
# $\alpha_t = \alpha \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)$. Each parameter thus gets a
# step of about $\alpha$ whatever the gradient's scale. Written out in the same order of
# operations as Keras:

# %%
lr, beta_1, beta_2, eps = 0.1, 0.5, 0.999, 1e-7  # beta_1 = 0.5 as in the article's Adam
w_opt = tf.Variable(0.3)
adam = keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2, epsilon=eps)
w_hand, m, v = tf.constant(0.3), tf.constant(0.0), tf.constant(0.0)
for t in range(1, 6):
    with tf.GradientTape() as tape:
        loss = one_param_loss(w_opt)
    g = tape.gradient(loss, w_opt)
    m = m + (g - m) * (1 - beta_1)
    v = v + (g * g - v) * (1 - beta_2)
    step_t = tf.constant(float(t))
    alpha = lr * tf.sqrt(1 - tf.pow(beta_2, step_t)) / (1 - tf.pow(beta_1, step_t))
    w_hand = w_hand - m * alpha / (tf.sqrt(v) + eps)
    adam.apply_gradients([(g, w_opt)])
    diff = abs(float(w_hand.numpy()) - float(w_opt.numpy()))
    print(f"step {t}: by hand {float(w_hand):.8f}  Adam {float(w_opt.numpy()):.8f}  "
          f"difference {diff:.1e}")

# %% [markdown]
# The difference column above is Adam's agreement with the formula, measured. (On other
# hardware or TensorFlow versions it may show a difference of one `float32` rounding, about
# `1e-8` here, if operations get fused; the tests in `tests/test_losses.py` pin SGD bit for
# bit and Adam to a relative `1e-6`.)
#
# ## 5 · Why the non-saturating generator loss
#
# In the minimax game the generator minimises $E[\log(1 - D(G(z)))]$. Early in training the
# discriminator easily spots fakes, so $D(G(z)) \approx 0$. The non-saturating alternative
# minimises $-E[\log D(G(z))]$ instead: the same fixed point (both want $D(G(z)) \to 1$),
# a different gradient. Compute both gradients with respect to the fake's logit, for
# $D(G(z))$ from $10^{-4}$ to almost 1:

# %%
d_of_fake = np.logspace(-4, np.log10(0.999), 200).astype(np.float32)
fake_logit = tf.Variable(logit(d_of_fake).astype(np.float32))
gradients = {}
for name in ("minimax", "nonsaturating"):
    with tf.GradientTape() as tape:
        # reduce_sum, not the batch mean, gives the gradient of each sample's own loss
        g_loss = losses.get(name).generator(fake_logit) * len(d_of_fake)
    gradients[name] = tape.gradient(g_loss, fake_logit).numpy()
for p in (1e-3, 0.5, 0.99):
    k = int(np.argmin(np.abs(d_of_fake - p)))
    print(f"D(G(z)) = {d_of_fake[k]:.3g}: dL/dlogit minimax {gradients['minimax'][k]:+.4f}, "
          f"non-saturating {gradients['nonsaturating'][k]:+.4f}")

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(d_of_fake, np.abs(gradients["minimax"]), label="minimax: log(1 - D(G(z)))")
ax.plot(d_of_fake, np.abs(gradients["nonsaturating"]), label="non-saturating: -log D(G(z))")
ax.set_xscale("log")
ax.set_xlabel("D(G(z)), the discriminator's probability that a fake is real")
ax.set_ylabel("|dL_G / d logit|")
ax.legend()
fig.tight_layout()

# %% [markdown]
# The measurement above: the minimax gradient equals $-D(G(z))$, so it vanishes exactly
# when the discriminator wins, which is when the generator most needs a signal; the
# non-saturating gradient, $-(1 - D(G(z)))$, is close to its largest there. This is why
# lesson 02 (and most practice) trains the generator with `losses.get("nonsaturating")`.
#
# ## 6 · Five losses through one interface
#
# Beyond cross-entropy, later work changed what the discriminator outputs and how it is
# scored. Each is an `AdversarialLoss` with `.discriminator(real_logits, fake_logits)` and
# `.generator(fake_logits)`, both to be minimised:
#
# | name | discriminator (critic) minimises | generator minimises |
# |---|---|---|
# | `minimax` | $\mathrm{BCE}(1, r) + \mathrm{BCE}(0, f)$ | $E[\log(1 - \sigma(f))]$ |
# | `nonsaturating` | same | $-E[\log \sigma(f)]$ |
# | `lsgan` (least squares) | $\tfrac12 E[(r - 1)^2] + \tfrac12 E[f^2]$ | $\tfrac12 E[(f - 1)^2]$ |
# | `hinge` | $E[\max(0, 1 - r)] + E[\max(0, 1 + f)]$ | $-E[f]$ |
# | `wgan-gp` | $E[f] - E[r] + 10\,\mathrm{GP}$ | $-E[f]$ |
#
# ($r$, $f$: the raw outputs on real and fake samples.) WGAN-GP's critic estimates a
# distance between the two distributions, and is kept 1-Lipschitz by the *gradient penalty*
# GP: the squared distance between 1 and the norm of the critic's gradient, at random points
# between a real and a fake sample (`losses.gradient_penalty`). Every loss on the same
# logits:

# %%
# NBVAL_CHECK_OUTPUT
print(f"{'loss':<15}{'L_D':>10}{'L_G':>10}{'GP weight':>11}")
for name in losses.NAMES:
    loss = losses.get(name)
    print(f"{name:<15}{float(loss.discriminator(real_logits, fake_logits)):>10.4f}"
          f"{float(loss.generator(fake_logits)):>10.4f}{loss.gradient_penalty_weight:>11}")

# %% [markdown]
# The gradient penalty of a linear critic $x \mapsto x \cdot w$ is easy to predict: its
# gradient is $w$ everywhere, so the penalty is $(\lVert w \rVert - 1)^2$, here
# $(5 - 1)^2 = 16$:

# %%
# NBVAL_CHECK_OUTPUT
w_lin = tf.constant([[3.0], [4.0]])
gp = losses.gradient_penalty(lambda pts: tf.matmul(pts, w_lin),
                             toy.sample_ring(64, seed=SEED), toy.sample_ring(64, seed=SEED + 1),
                             seed_or_rng=SEED)
print(f"gradient penalty of x -> x·(3, 4): {float(gp):.4f}")

# %% [markdown]
# ## 7 · A toy GAN: the ring of 8 Gaussians
#
# Images are too slow for comparing five losses on a laptop, so we use the classic toy
# problem: points in the plane from 8 Gaussians on a circle. A generator that has learnt
# the data puts points near all 8 centres; one that suffers *mode collapse* covers only a
# few. `gandetexture.toy` holds the data and the training loop, `gandetexture.networks` the
# two small MLPs.

# %%
real_points = toy.sample_ring(2000, seed=SEED)
plots.scatter_panels({"real data": real_points});

# %%
# NBVAL_CHECK_OUTPUT
toy_g = networks.build_toy_generator(toy.LATENT_DIM, toy.HIDDEN)
toy_d = networks.build_toy_discriminator(toy.HIDDEN)
print("generator params    ", sum(int(np.prod(w.shape)) for w in toy_g.weights))
print("discriminator params", sum(int(np.prod(w.shape)) for w in toy_d.weights))
print("batch", toy.BATCH, "latent", toy.LATENT_DIM, "Adam lr", toy.LEARNING_RATE,
      "betas", (toy.BETA_1, toy.BETA_2))


# %% [markdown]
# The train step is lesson 02's, with the loss made a parameter: `losses.get(name)` gives
# both losses, and the gradient penalty is added inside the discriminator's tape only when
# the loss asks for it (WGAN-GP). Written out:

# %%
def make_toy_train_step(generator, discriminator, g_optimizer, d_optimizer, loss, seed=0):
    adversarial = losses.get(loss)

    @tf.function
    def train_step(real, step_index):
        z = tf.random.stateless_normal([tf.shape(real)[0], toy.LATENT_DIM],
                                       seed=tf.stack([tf.cast(seed, tf.int64), step_index]))
        gp_key = tf.stack([tf.cast(seed, tf.int64) + 1, step_index])  # the penalty's noise
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = generator(z, training=True)
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = adversarial.discriminator(real_logits, fake_logits)
            if adversarial.gradient_penalty_weight:  # WGAN-GP only (decided at tracing)
                d_loss += adversarial.gradient_penalty_weight * losses.gradient_penalty(
                    discriminator, real, fake, gp_key)
            g_loss = adversarial.generator(fake_logits)
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}

    return train_step


# %% [markdown]
# As in lesson 02, both losses come from one forward pass and both networks are updated after
# it (a *simultaneous* update). Many implementations *alternate* instead: update D first, then
# compute G's loss against the updated D. The two orders give different numbers; the course
# uses the simultaneous one for every GAN (exercise 4 tries the other).
#
# `toy.train_toy(name, steps, seed)` builds fresh networks from the seed and trains them with
# `toy.make_toy_step`, the course's one update (`steps.make_gan_step`) on points. Check that
# it is the step above: five WGAN-GP steps each way, from the same weights, batches and noise.

# %%
def toy_adam():
    return keras.optimizers.Adam(toy.LEARNING_RATE, beta_1=toy.BETA_1, beta_2=toy.BETA_2)


def train_by_hand(make_step, loss, n_steps, seed=SEED):
    keras.utils.set_random_seed(seed)  # what toy.train_toy does, step by step
    g = networks.build_toy_generator(toy.LATENT_DIM, toy.HIDDEN)
    d = networks.build_toy_discriminator(toy.HIDDEN)
    step = make_step(g, d, toy_adam(), toy_adam(), loss, seed=seed)
    history = training.fit(step, toy.ring_batches(toy.BATCH, seed), n_steps, progress=False)
    return toy.ToyRun(loss, g, d, history, history["time"][-1])


by_hand = train_by_hand(make_toy_train_step, "wgan-gp", 5).history
package = toy.train_toy("wgan-gp", 5, seed=SEED).history
print("written out d_loss", [round(v, 4) for v in by_hand["d_loss"]])
print("toy.train_toy      ", [round(v, 4) for v in package["d_loss"]])
gap = max(abs(a - b) for key in ("d_loss", "g_loss") for a, b in zip(by_hand[key], package[key]))
print(f"largest difference over 5 steps, both losses: {gap:.1e}")

# %% [markdown]
# Train one GAN per loss, each from the same initial weights, the same real batches and the
# same noise, for `profile.toy_steps` steps (seconds each under `cpu`). `toy.train_all` is
# that loop over `toy.train_toy`; the command line trains with the same function
# (`python -m gandetexture train-toy`, which also saves both networks of each loss), so the
# same seed gives the same runs there and here. With `PRETRAINED = True` the cell trains
# nothing: it loads the runs the package ships, made by that command under `cpu`, with their
# training histories (`gandetexture.pretrained`).

# %%
if PRETRAINED:
    runs, shipped = pretrained.toy(), pretrained.metrics("toy")
    toy_steps = shipped["settings"]["steps"]
    print("PRETRAINED = True: nothing trained; loaded the shipped toy GANs, made by\n   ",
          shipped["command"])
    for name, run in runs.items():
        print(f"{name:<14} {toy_steps} steps in {run.seconds:5.1f} s when it was made")
else:
    runs, toy_steps = toy.train_all(profile, seed=SEED), profile.toy_steps
    for name, run in runs.items():
        print(f"{name:<14} {toy_steps} steps in {run.seconds:5.1f} s")

# %%
samples = {name: run.sample(toy.SAMPLES, seed=SEED) for name, run in runs.items()}
plots.scatter_panels(samples, real=real_points,
                     titles={n: f"{n} ({toy_steps} steps)" for n in samples});

# %% [markdown]
# The pictures are suggestive; a number is better. `toy.count_modes` calls a generated
# point *high quality* when it lies within 3 standard deviations of a centre, and a mode
# *covered* when at least 1 % of the points are high-quality points near it. So a mode
# counts only if points land *on* it: a generator that spreads its points all round the
# ring but between the centres covers few modes without having collapsed. The last column
# tells the two apart: the centres that are the nearest one to at least 1 % of the points,
# however far from it (`reached`). Few modes covered but all reached is misplacement;
# few reached is collapse, or, early in training, points that have not spread out yet.
# Both counts are in the package (`toy.count_modes`), so that the shipped runs' `metrics.json`
# records the very numbers this table prints:

# %%
Code(inspect.getsource(toy.count_modes), language="python")


# %%
def reading(count) -> str:
    if count.covered == count.modes:
        return "every mode covered"
    if count.reached == count.modes:
        return "all round the ring, off the centres: misplaced, not collapsed"
    return (f"near only {count.reached} of the {count.modes} centres: collapsed, or not yet "
            "spread out")


counts = {name: toy.count_modes(points) for name, points in samples.items()}
real_count = toy.count_modes(real_points)
print(f"{'loss':<15}{'modes covered':>14}{'high quality':>14}{'reached':>9}   reading")
for name, count in counts.items():
    print(f"{name:<15}{count.covered:>9} / {count.modes}{count.high_quality:>13.0%}"
          f"{count.reached:>7} / {count.modes}   {reading(count)}")
print(f"{'real data':<15}{real_count.covered:>9} / 8"
      f"{real_count.high_quality:>13.0%}{real_count.reached:>7} / 8")
most = max(count.covered for count in counts.values())
tightest = max(count.high_quality for count in counts.values())
print(f"\nmost modes ({most} / 8):",
      ", ".join(name for name, count in counts.items() if count.covered == most))
print(f"tightest ({tightest:.0%} high quality):",
      ", ".join(name for name, count in counts.items() if count.high_quality == tightest))

# %% [markdown]
# Read the table above, its *reading* column and the two lines under it that name the
# leaders, rather than trusting folklore: it is one seed and one budget
# (`profile.toy_steps`), so a difference of a mode or two between losses may not survive
# another seed (change `SEED` and rerun to see). Under `smoke` the generators have barely
# started (unless `PRETRAINED = True`), so the leaders are a coin toss; under `cpu` and `gpu`
# compare the columns: how many modes each loss covers, how tight its points are (*high
# quality*), and whether a low count is collapse or misplacement. The comparison is at equal
# cost, not at each loss's best settings: every loss gets one discriminator update per
# generator update and the same Adam, whereas
# WGAN-GP's authors, for example, update the critic five times per generator step
# (exercise 3 measures what that changes). Section 5's argument for the non-saturating loss
# is about a discriminator that wins early, as it easily does against images made from
# noise; on an easy 2-D problem it may not, so here too the table decides, not the argument.
# The loss curves show the other half of the story, stability:

# %%
fig, axes = plt.subplots(1, len(runs), figsize=(2.8 * len(runs), 2.6), sharex=True)
for ax, (name, run) in zip(axes, runs.items()):
    ax.plot(run.history["step"], run.history["d_loss"], label="D", lw=0.8)
    ax.plot(run.history["step"], run.history["g_loss"], label="G", lw=0.8)
    if name in ("minimax", "nonsaturating"):
        ax.axhline(np.log(4), ls="--", c="gray", lw=0.8)  # D at chance: log 4
    ax.set_title(name, fontsize=9)
    ax.set_xlabel("step")
axes[0].legend()
fig.tight_layout()

# %% [markdown]
# Each loss has its own scale (for the two cross-entropy losses the dashed line at
# $\log 4 \approx 1.39$ is the discriminator's loss at chance; WGAN-GP's critic loss is a
# negative distance estimate plus the penalty), so compare the *shapes*: steady curves,
# oscillations, or a discriminator loss that falls towards zero while the generator's climbs
# (D has won, and the generator learns little more).
#
# With `PRETRAINED = True`, the cell below sets this lesson's table of the shipped runs
# beside what their `metrics.json` recorded when they were made (`toy.scores`: the same
# counts of the same number of points, under `cpu` with seed 0); a run trained here under
# those settings is compared too, since the command line trains it with the same function.

# %%
shipped = pretrained.metrics("toy")
made = shipped["settings"]["profile"], shipped["settings"]["seed"]
if PRETRAINED or (profile.name, SEED) == made:  # this lesson's table against metrics.json
    for name, count in counts.items():
        here = (count.covered, round(count.high_quality, 4), count.reached)
        then = tuple(shipped["check"][f"{name}/{key}"]
                     for key in ("covered", "high_quality", "reached"))
        print(f"{name:<14} covered, high quality, reached: here {here[0]}, {here[1]:.4f}, "
              f"{here[2]}; metrics.json {then[0]:.0f}, {then[1]:.4f}, {then[2]:.0f} -> "
              + ("the same" if here == then else f"different (this run: {profile.name}, "
                 f"seed {SEED}; metrics.json: {made[0]}, seed {made[1]})"))
else:
    print(f"PRETRAINED = False: this lesson trained its own runs ({profile.name}, seed "
          f"{SEED}; the shipped ones are of {made[0]}, seed {made[1]}); nothing to compare")


# %% [markdown]
# ## 8 · The optimum: $D^*(x)$ and $-\log 4$
#
# For a fixed generator, each point $x$ contributes
# $p_{data}(x)\log D(x) + p_g(x)\log(1 - D(x))$ to $V$. Maximising
# $a \log d + b \log(1 - d)$ over $d \in (0, 1)$ gives $d = a / (a + b)$, hence the best
# discriminator
#
# $$D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}.$$
#
# Check it numerically: take $p_{data} = \mathcal N(0, 1)$ and $p_g = \mathcal N(1, 1)$, and
# at each point of a grid search for the best $d$ by brute force among 9999 candidates.

# %%
def normal_pdf(x, mean):
    return np.exp(-0.5 * (x - mean) ** 2) / np.sqrt(2 * np.pi)


xs = np.linspace(-4, 5, 181)
p_data, p_g = normal_pdf(xs, 0.0), normal_pdf(xs, 1.0)
candidates = np.linspace(1e-4, 1 - 1e-4, 9999)
score = p_data[:, None] * np.log(candidates) + p_g[:, None] * np.log(1 - candidates)
d_search = candidates[score.argmax(axis=1)]
d_star = p_data / (p_data + p_g)
print(f"largest |brute force - formula| on the grid: {np.abs(d_search - d_star).max():.1e}")

# %% [markdown]
# The brute-force maximum agrees with the formula to the search's resolution (candidates are
# `1e-4` apart). Put $D^*$ back into $V$: the result is $-\log 4 + 2\,\mathrm{JSD}(p_{data}
# \Vert p_g)$, where JSD, the Jensen–Shannon divergence, is 0 only when the two
# distributions are equal. So the generator's best move is $p_g = p_{data}$; then
# $D^* = \tfrac12$ everywhere and $V = -\log 4$. Both statements, computed by integrating
# on a grid wide enough to hold all of both densities:

# %%
# NBVAL_CHECK_OUTPUT
xs = np.linspace(-10, 11, 4201)
dx = xs[1] - xs[0]
p_data, p_g = normal_pdf(xs, 0.0), normal_pdf(xs, 1.0)
d_star = p_data / (p_data + p_g)


def value(p, q, d):  # V(D, G) = ∫ p log D + q log(1 - D) dx
    return np.sum(p * np.log(d) + q * np.log(1 - d)) * dx


def jsd(p, q):
    m = (p + q) / 2
    return 0.5 * np.sum(p * np.log(p / m)) * dx + 0.5 * np.sum(q * np.log(q / m)) * dx


print(f"-log 4                               = {-np.log(4):.5f}")
print(f"V(D*) when p_g = p_data              = {value(p_data, p_data, np.full_like(xs, 0.5)):.5f}")
print(f"V(D*) when p_g = N(1, 1)             = {value(p_data, p_g, d_star):.5f}")
print(f"-log 4 + 2 JSD(N(0,1) || N(1,1))     = {-np.log(4) + 2 * jsd(p_data, p_g):.5f}")

# %% [markdown]
# Finally, the same numbers through the package: a discriminator that outputs 0.5 (logit 0)
# on everything has the value $-\log 4$ and the cross-entropy loss $2 \log 2 = \log 4$,
# the level the discriminator's loss curves hover around when neither side wins.

# %%
# NBVAL_CHECK_OUTPUT
zeros = tf.zeros([8, 1])
print(f"gan_value(0, 0)          = {float(losses.gan_value(zeros, zeros)):.5f}")
print(f"discriminator_loss(0, 0) = {float(losses.discriminator_loss(zeros, zeros)):.5f}")
print(f"2 log 2                  = {2 * np.log(2):.5f}")

# %% [markdown]
# ## Summary
#
# - The article's $L_{GAN}$ is the *value* of the game: D maximises it, G minimises its
#   second term. The discriminator's loss is its negative, binary cross-entropy with
#   label 1 for real and 0 for fake; the article's $L_D$ flips the sign of the real term,
#   and minimising it would teach D to reject real data.
# - Compute losses from logits (`softplus`), never as `log(sigmoid(...))`.
# - Gradient descent is $\theta \leftarrow \theta - \alpha\,\partial L/\partial\theta$;
#   `keras.optimizers.SGD` does exactly that, and Adam rescales it per parameter.
# - The minimax generator loss saturates when D wins; the non-saturating loss does not.
# - `losses.get(name)` gives minimax, non-saturating, least-squares, hinge and WGAN-GP
#   through one interface; a train step adds `gradient_penalty` when
#   `gradient_penalty_weight` is non-zero. `toy.count_modes` measures mode coverage.
# - At the optimum $D^* = p_{data}/(p_{data} + p_g)$, and $V = -\log 4$ when $p_g = p_{data}$.
#
# ## Exercises
#
# 1. A discriminator gives $D(x) = 0.7$ on real samples and $D(G(z)) = 0.4$ on fakes.
#    Compute the correct $L_D$ and the article's $L_D$, by hand with NumPy and with
#    `losses.discriminator_loss` (from logits).
# 2. Plot the gradient of the generator losses of `lsgan` and `hinge` against the fake's
#    logit, from −5 to 5, next to the non-saturating one. Which ones ever give a zero
#    gradient?
# 3. WGAN-GP's authors train the critic 5 times per generator step. Retrain `wgan-gp` with
#    `toy.train_toy(..., d_steps=5)` for the same `profile.toy_steps` generator steps, count
#    its modes and compare with the table above. What did the extra critic steps cost in
#    time? (The solution prints both runs' seconds.)
# 4. Write the *alternating* toy step: update D (in its own tape), then compute G's loss
#    against the updated D with a second forward pass. Train the non-saturating GAN with it
#    through `train_by_hand` for `profile.toy_steps` steps and compare its modes with the
#    table above; then try the other losses.
# 5. (open) The mode count says how many modes receive samples; it does not tell a generator
#    that collapsed onto a few modes from one that spreads its samples in the wrong places
#    (a ring off the modes). Design a measure that separates the two (coverage and placement,
#    say), apply it to every loss of the table over several seeds, and decide which of the
#    table's differences survive the spread between seeds.
#
# The solutions train for `profile.toy_steps` steps, with `PRETRAINED = True` too (seconds
# each under `cpu`, where that is the shipped runs' length; under `smoke` they are then
# compared with longer runs).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
p_r, p_f = np.array([0.7]), np.array([0.4])
print("correct", correct_d_loss(p_r, p_f), " article", article_d_loss(p_r, p_f))
print("losses ", float(losses.discriminator_loss(tf.constant(logit(p_r), tf.float32),
                                                  tf.constant(logit(p_f), tf.float32))))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
grid = tf.Variable(tf.linspace(-5.0, 5.0, 201))
fig, ax = plt.subplots(figsize=(6, 3))
for name in ("nonsaturating", "lsgan", "hinge"):
    with tf.GradientTape() as tape:
        per_sample = losses.get(name).generator(grid) * 201.0
    ax.plot(grid.numpy(), tape.gradient(per_sample, grid).numpy(), label=name)
ax.set_xlabel("fake logit")
ax.set_ylabel("dL_G / d logit")
ax.legend();
# hinge: always -1; lsgan: f - 1, zero at f = 1 (and positive beyond: it pulls fakes back
# to 1); non-saturating: tends to zero only as the fake's logit grows, i.e. when D is fooled.

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
run5 = toy.train_toy("wgan-gp", profile.toy_steps, seed=SEED, d_steps=5)
count5 = toy.count_modes(run5.sample(2000, seed=SEED))
print(f"wgan-gp, 5 critic steps: {count5.covered} / 8 modes, {count5.high_quality:.0%} high "
      f"quality, {run5.seconds:.1f} s (1 critic step: {counts['wgan-gp'].covered} / 8, "
      f"{runs['wgan-gp'].seconds:.1f} s)")


# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
def make_alternating_step(generator, discriminator, g_optimizer, d_optimizer, loss, seed=0):
    adversarial = losses.get(loss)

    @tf.function
    def train_step(real, step_index):
        z = tf.random.stateless_normal([tf.shape(real)[0], toy.LATENT_DIM],
                                       seed=tf.stack([tf.cast(seed, tf.int64), step_index]))
        gp_key = tf.stack([tf.cast(seed, tf.int64) + 1, step_index])
        fake = generator(z, training=True)
        with tf.GradientTape() as d_tape:
            d_loss = adversarial.discriminator(discriminator(real, training=True),
                                               discriminator(fake, training=True))
            if adversarial.gradient_penalty_weight:
                d_loss += adversarial.gradient_penalty_weight * losses.gradient_penalty(
                    discriminator, real, fake, gp_key)
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        with tf.GradientTape() as g_tape:  # a second forward pass, through the updated D
            g_loss = adversarial.generator(discriminator(generator(z, training=True),
                                                         training=True))
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}

    return train_step


alternating = train_by_hand(make_alternating_step, "nonsaturating", profile.toy_steps)
count = toy.count_modes(alternating.sample(2000, seed=SEED))
print(f"nonsaturating, alternating: {count.covered} / 8 modes, {count.high_quality:.0%} high "
      f"quality (simultaneous: {counts['nonsaturating'].covered} / 8, "
      f"{counts['nonsaturating'].high_quality:.0%})")
