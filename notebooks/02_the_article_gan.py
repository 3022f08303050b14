# %% [markdown]
# # 02 · The article's GAN, made right
#
# **In this lesson you will**
# - run the article's example code piece by piece and watch each of its bugs happen;
# - fix them one at a time: the model API, the imports, the gradients, the labels, the logits,
#   the data and the plot;
# - train the corrected MLP GAN (generator 100 → 256 → 512 → 1024 → 32·32·3, discriminator
#   512 → 256 → 1, Adam(2e-4, β1 = 0.5)) on real texture patches, with an explicit
#   `@tf.function` train step and its two `tf.GradientTape`s in view, and check that the
#   package's `steps.make_gan_step` (the course's one adversarial update) is that same step;
# - see what such an *unconditional* GAN can do (new texture patches) and what it cannot do
#   (take your photograph and remove its texture).
#
# The article this course grew out of describes a GAN in three parts: a generator that turns
# random noise into an image, a discriminator that tells real images from generated ones, and
# a training loop in which each network descends the gradient of its own loss. Its example
# code does not run. Reading broken code is a fine way to learn what each line is *for*, so we
# start there.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0
PRETRAINED = False  # True: load the course's shipped article GAN instead of training it

# %%
import gandetexture as gdt

profile = gdt.setup(PROFILE, SEED, lesson="02_the_article_gan")

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import layers

from gandetexture import article, datasets, exemplars, networks, plots, pretrained, steps, training


def show_error(error: Exception) -> None:
    """Print an exception the way this lesson shows the article's bugs: type and first line."""
    message = str(error).splitlines()[0].split(", value=")[0]
    print(f"{type(error).__name__}: {message[:160]}")


# %% [markdown]
# ## Part 1 · The article's code, bug by bug
#
# ### Bug 1: `Model()` has no `.add`
#
# The article builds both networks with `model = Model()` followed by `model.add(...)`.
# `.add` belongs to `keras.Sequential`; the functional `keras.Model` is built from inputs and
# outputs instead.

# %%
try:
    keras.Model().add(layers.Dense(256, input_dim=100))
except Exception as error:
    show_error(error)

# %% [markdown]
# ### Bug 2: `Reshape` is used but never imported
#
# The generator ends in `Reshape((32, 32, 3))`, but the article's import line is
#
# > `from tensorflow.keras.layers import Input, Dense, Flatten, Conv2D, BatchNormalization, Activation`
#
# Run that line in a clean namespace and the name is missing:

# %%
namespace: dict = {}
exec("from keras.layers import Input, Dense, Flatten, Conv2D, BatchNormalization, Activation",
     namespace)
try:
    exec("Reshape((32, 32, 3))", namespace)
except Exception as error:
    show_error(error)

# %% [markdown]
# Fixing bugs 1 and 2 gives the networks below (in `gandetexture.networks`): a functional
# `keras.Model` built from an input and an output, with `Reshape` imported. Three further
# changes are deliberate: the discriminator returns a raw **logit** (any real number) instead
# of a sigmoid probability, and uses LeakyReLU without BatchNormalization; and the
# generator's last layer starts with very small weights, so that its first images are flat
# grey rather than per-pixel noise. (With the default initialisation the first images are
# per-pixel noise, which a discriminator can tell from texture without learning anything
# about texture; exercise 4 measures how far the two starts are apart after the same
# training.)
#
# Why no BatchNormalization in this discriminator? It judges each 32×32 patch on its own, and
# the train step below calls it once on a batch of real patches and once on a batch of
# generated ones. In training mode BatchNormalization rescales each call's features by that
# batch's own mean and variance, so the verdict on one patch would depend on the other
# patches it came with, and a difference shared by the whole generated batch (all too dark,
# all too smooth) would be partly normalised away before D could see it. Without it, each
# patch's logit depends on that patch alone. Here this is a design choice, not a measured
# result; lesson 06 measures it on its convolutional discriminator, whose first version had
# BatchNormalization after its first layer (`TextureConfig.d_batchnorm`), and exercise 5 asks
# how you would decide for this one.

# %%
import inspect

from IPython.display import Code

Code(inspect.getsource(networks.build_mlp_generator) + "\n\n"
     + inspect.getsource(networks.build_mlp_discriminator), language="python")

# %%
generator = networks.build_mlp_generator(latent_dim=100, image_shape=(32, 32, 3))
discriminator = networks.build_mlp_discriminator(image_shape=(32, 32, 3))

# %%
# NBVAL_CHECK_OUTPUT
print("generator parameters:    ", networks.count_params(generator))
print("discriminator parameters:", networks.count_params(discriminator))

# %% [markdown]
# Try each block on one sample, as soon as it exists: noise in, image out; image in, logit out.

# %%
# NBVAL_CHECK_OUTPUT
z = tf.random.stateless_normal([1, 100], seed=[SEED, 0])
image = generator(z, training=False)
logit = discriminator(image, training=False)
print("z", z.shape, "-> image", image.shape, "-> logit", logit.shape)

# %% [markdown]
# ### Bug 3: the gradients never reach the generator
#
# The article makes its images with `generator.predict(noise)` *before* opening the
# `GradientTape`. `predict` returns a NumPy array: the tape never sees the generator run, so
# the gradient of the loss with respect to the generator's weights is `None`, and the
# optimizer refuses it.

# %%
bce = keras.losses.BinaryCrossentropy(from_logits=True)
noise = np.random.default_rng(SEED).normal(0, 1, (1, 100))
img_gen = generator.predict(noise, verbose=0)  # as in the article: outside the tape
with tf.GradientTape() as gen_tape:
    gen_output = discriminator(img_gen)
    gen_loss = bce(tf.ones_like(gen_output), gen_output)
grads = gen_tape.gradient(gen_loss, generator.trainable_weights)
print("gradients that are None:", sum(g is None for g in grads), "of", len(grads))
try:
    keras.optimizers.Adam(2e-4, beta_1=0.5).apply_gradients(
        zip(grads, generator.trainable_weights))
except Exception as error:
    show_error(error)

# %% [markdown]
# The fix: call the generator *inside* the tape, `fake = generator(z, training=True)`.
#
# The article also shares one Adam optimizer between both networks. In Keras 3 an optimizer
# is built for the variables it first sees, so the second network is refused; and even where
# it is accepted, the two networks would share a learning-rate schedule and step count. Each
# network gets its own optimizer.

# %%
shared = keras.optimizers.Adam(2e-4, beta_1=0.5)
shared.apply_gradients([(tf.zeros_like(w), w) for w in generator.trainable_weights])
try:
    shared.apply_gradients([(tf.zeros_like(w), w) for w in discriminator.trainable_weights])
except Exception as error:
    show_error(error)

# %% [markdown]
# ### Bugs 4 and 5: both networks chase label 1, and the discriminator never sees real data
#
# In the article's loop both updates use `tf.ones_like(...)` as the target, and the only
# images ever shown to the discriminator are generated ones. A discriminator trained that way
# learns one thing: answer "real" to everything. Let us train one for a few steps exactly like
# that and then ask it about real brick patches and about pure noise.

# %%
fakes = generator(tf.random.stateless_normal([64, 100], seed=[SEED, 1]), training=False)
naive_d = networks.build_mlp_discriminator()
naive_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)


@tf.function  # one graph for the 200 steps, like the train step below (lesson 04 times it)
def naive_step():
    with tf.GradientTape() as tape:
        out = naive_d(fakes, training=True)
        loss = bce(tf.ones_like(out), out)  # the article's label for the discriminator
    naive_opt.apply_gradients(zip(tape.gradient(loss, naive_d.trainable_weights),
                                  naive_d.trainable_weights))


for _ in range(200):
    naive_step()

real_bricks = exemplars.patches(["brick"], size=32, count=64, seed=SEED)
uniform_noise = np.random.default_rng(SEED).uniform(-1, 1, (64, 32, 32, 3)).astype("float32")
for name, batch in [("generated", fakes), ("real brick", real_bricks), ("noise", uniform_noise)]:
    p_real = float(tf.reduce_mean(tf.sigmoid(naive_d(batch, training=False))))
    print(f"P(real) for {name:>10}: {p_real:.3f}")

# %% [markdown]
# It has learned to call *these generated images* real, and nothing more: what it says about
# real brick or about noise is arbitrary (compare the three numbers), so its verdict carries
# no information the generator could use. The fix: the discriminator sees **real images with
# label 1 and generated images with label 0**; only the generator asks for label 1 on its own
# images.
#
# ### Bug 6: a sigmoid output fed to `from_logits=True`
#
# The article's discriminator ends in `sigmoid`, and its loss is
# `BinaryCrossentropy(from_logits=True)`, which applies a sigmoid *again*. Feed it
# probabilities and look at what comes back: for a discriminator that is certain and right
# (p = 1) the loss should be 0, for one certain and wrong (p = 0) it should be large.

# %%
probabilities = tf.constant([[0.0], [0.5], [1.0]])
label_one = tf.ones_like(probabilities)
wrong = [float(bce(label_one[i:i + 1], probabilities[i:i + 1])) for i in range(3)]
right = [float(keras.losses.BinaryCrossentropy()(label_one[i:i + 1], probabilities[i:i + 1]))
         for i in range(3)]
for p, w, r in zip([0.0, 0.5, 1.0], wrong, right):
    print(f"p = {p:.1f}: from_logits=True gives {w:.3f}, the true cross-entropy is {r:.3f}")

# %% [markdown]
# The doubly squashed loss only moves between 0.313 and 0.693: a certain, wrong
# discriminator is barely punished, and its gradients shrink accordingly. The fix used
# throughout this course: the network returns **logits**, and the loss applies the sigmoid
# once, in a numerically stable way (`gandetexture.losses`).
#
# ### Bug 7: `plt.imshow` of a batch
#
# The article's last line shows `img_gen`, a batch of shape `[1, 32, 32, 3]`, and its values
# are in `[-1, 1]` (tanh). `imshow` wants one image, in `[0, 1]`.

# %%
try:
    plt.imshow(img_gen)
except Exception as error:
    show_error(error)
plt.close("all")

# %% [markdown]
# The fix is `plt.imshow((img_gen[0] + 1) / 2)`, which `plots.show_images` does for a whole
# batch. And finally, the bug that is not in one line: the article's closing comment says the
# trained generator produces *your image with its texture removed*. Its generator has no
# input but noise; we come back to that at the end.
#
# ## Part 2 · The corrected GAN
#
# ### Real data
#
# Nothing is downloaded: scikit-image ships photographs of brick, grass and gravel. We cut
# random 32×32 patches from them and scale them to `[-1, 1]`, the range of the generator's
# tanh (`exemplars.patches`).

# %%
real = exemplars.patches(["brick", "grass", "gravel"], size=32, count=profile.n_pairs,
                         seed=SEED)
print(real.shape, real.dtype, float(real.min()), float(real.max()))
plots.show_images(real[:: max(1, len(real) // 16)][:16], ncols=8,
                  suptitle="real 32×32 patches: brick, grass, gravel");


# %% [markdown]
# ### The losses
#
# With `D(x) = sigmoid(logit)`, the discriminator minimises the binary cross-entropy with
# label 1 for real and 0 for fake,
# $L_D = -\mathbb{E}[\log D(x)] - \mathbb{E}[\log(1 - D(G(z)))]$,
# and the generator minimises $L_G = -\mathbb{E}[\log D(G(z))]$ (the *non-saturating* form;
# lesson 03 derives it from the article's formula and compares it with the others).
#
# ### The train step
#
# Here is the whole update, written out as TensorFlow's DCGAN tutorial writes it: one
# `@tf.function`, two tapes, two optimizers. Every fix of part 1 is in it: the generator runs
# *inside* the tapes (bug 3), each network has its own optimizer, the discriminator sees real
# images with label 1 and generated ones with label 0 while the generator asks for label 1
# (bugs 4 and 5), and the discriminator's outputs are logits, fed to the `from_logits=True`
# cross-entropy `bce` defined above (bug 6). The noise of step *i* is drawn statelessly from
# `(seed, i)`, so a rerun sees exactly the same noise.

# %%
def make_train_step(generator, discriminator, g_optimizer, d_optimizer, latent_dim=100,
                    seed=0):
    @tf.function
    def train_step(real_images, step_index):
        z = tf.random.stateless_normal([tf.shape(real_images)[0], latent_dim],
                                       seed=tf.stack([tf.cast(seed, tf.int64), step_index]))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake_images = generator(z, training=True)
            real_logits = discriminator(real_images, training=True)
            fake_logits = discriminator(fake_images, training=True)
            d_loss = (bce(tf.ones_like(real_logits), real_logits)  # real → 1
                      + bce(tf.zeros_like(fake_logits), fake_logits))  # fake → 0
            g_loss = bce(tf.ones_like(fake_logits), fake_logits)  # fake → "real"
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_optimizer.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_optimizer.apply_gradients(zip(g_grads, generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}

    return train_step


# %% [markdown]
# Both losses come from one forward pass, and both networks are updated after it: the
# generator's gradient is taken against the discriminator as it was *before* this step's
# update (a *simultaneous* update, as in the tutorial).
#
# The package holds this step as `steps.make_gan_step`, a thin wrapper: the course has one
# adversarial update, `steps.make_step`, used by every GAN it trains (this one, lesson 03's
# toy GANs, lesson 05's texture remover, lesson 06's texture GAN). What differs between them
# is what the generator gets and what the discriminator judges, given by an `inputs`
# function; here, noise in and images judged:

# %%
Code(inspect.getsource(steps.noise_inputs) + "\n\n" + inspect.getsource(steps.make_gan_step),
     language="python")

# %% [markdown]
# `make_step` is the loop above plus options that later lessons switch on: any loss of
# `gandetexture.losses` (lesson 03 compares five, WGAN-GP's gradient penalty and extra critic
# updates included), an L1 term that ties the output to a target (lesson 05) and an average
# of the generator's weights (lesson 06). Its cross-entropies come from
# `losses.get("nonsaturating")`. It also reports `d_real` and `d_fake`, the mean probability
# of "real" that D gives real and generated images. Fresh networks (the ones above were used
# to show bugs), one optimizer each, and the package's step: `article.build_gan`, the
# package's module for this lesson's GAN (`gandetexture.article`), does it.

# %%
Code(inspect.getsource(article.build_gan), language="python")

# %% [markdown]
# Build them and try the step once on one batch.

# %%
generator, discriminator, train_step = article.build_gan(SEED)
batches = datasets.image_batches(real, profile.batch_size, seed=SEED)
first = train_step(next(iter(batches)), tf.constant(0, tf.int64))
print({k: round(float(v), 3) for k, v in first.items()})


# %% [markdown]
# At the start both losses sit near $\log 2 \approx 0.69$ per term: the discriminator cannot
# yet tell real from fake, so it says 0.5 to both.
#
# Is the package's step really the one written out above? Train both for a few steps from the
# same initial weights, on the same batches, with the same noise, and compare the losses.
# (`training.fit`, used here and below, calls a step once per batch and records what it
# returns.)

# %%
def lesson_gan(seed: int):
    gdt.set_seed(seed)
    g = networks.build_mlp_generator()
    d = networks.build_mlp_discriminator()
    return make_train_step(g, d, training.adam(), training.adam(), latent_dim=100, seed=seed)


side_by_side = {
    "written out": training.fit(lesson_gan(SEED), datasets.image_batches(
        real, profile.batch_size, seed=SEED), 5, progress=False),
    "steps.make_gan_step": training.fit(article.build_gan(SEED)[2], datasets.image_batches(
        real, profile.batch_size, seed=SEED), 5, progress=False)}
for name, h in side_by_side.items():
    print(f"{name:<20} d_loss {[round(v, 4) for v in h['d_loss']]}")
gap = max(abs(a - b) for key in ("d_loss", "g_loss")
          for a, b in zip(side_by_side["written out"][key],
                          side_by_side["steps.make_gan_step"][key]))
print(f"largest difference over 5 steps, both losses: {gap:.1e}")

# %% [markdown]
# The same losses, step for step. (Keras's cross-entropy and `gandetexture.losses` compute the
# same averages by slightly different routes; where the printed difference is not 0, it is a
# rounding in the last digits of `float32`.)
#
# ### Training
#
# `training.fit` runs the step `profile.gan_steps` times with a progress bar and records every
# loss. Anything else that should happen during training is a *callback* (lesson 04 shows
# them all); here `training.Preview` calls our `preview` every `preview_every` steps, which
# draws 16 images from the same fixed noise, to watch the same samples evolve.
#
# `article.train_gan` does exactly that: `article.build_gan(SEED)` as above, then
# `training.fit` on `datasets.image_batches(real, profile.batch_size, seed=SEED)` with the
# preview as a callback. The command line trains with the same function
# (`python -m gandetexture train-article-gan`, which also saves the generator), so the same
# seed gives the same weights there and here. With `PRETRAINED = True` the cell trains
# nothing: it loads the generator the package ships, trained by that command under `cpu`,
# and its training history (`gandetexture.pretrained`).

# %%
fixed_z = tf.random.stateless_normal([16, 100], seed=[SEED, 12345])
snapshots: dict[int, np.ndarray] = {}


def preview(generator, step_index: int) -> None:
    snapshots[step_index + 1] = generator(fixed_z, training=False).numpy()


if PRETRAINED:
    generator, history = pretrained.article_gan(), pretrained.history("article_gan")
    shipped = pretrained.metrics("article_gan")
    preview(generator, len(history["step"]) - 1)  # a loaded model has no earlier states
    print("PRETRAINED = True: nothing trained; loaded the shipped generator, made by\n   ",
          shipped["command"])
    print(f"it trained {len(history['step'])} steps under {shipped['settings']['profile']} "
          f"in {shipped['train_s']:.1f} s when it was made")
else:
    run = article.train_gan(profile, seed=SEED, real=real, preview=preview,
                            preview_every=max(1, profile.gan_steps // 4))
    generator, history = run.generator, run.history
    print(f"{profile.gan_steps} steps in {run.seconds:.1f} s "
          f"({profile.gan_steps * profile.batch_size / run.seconds:.0f} images/s)")

# %%
plots.plot_history(history, keys=["d_loss", "g_loss"], smooth=max(1, len(history["step"]) // 50),
                   hlines={"2·log 2 (D at chance)": 2 * np.log(2), "log 2": np.log(2)},
                   title="losses (moving average)");

# %% [markdown]
# Read the curves against the two dashed lines: where D cannot tell real from generated, its
# loss is $2 \log 2$ and G's is $\log 2$. A discriminator loss below its line while the
# generator's stays above its own means D is winning: it tells the two apart, and G's
# gradients only say "this looks fake". The cell below reads the last quarter of the run.

# %%
d_end, g_end = article.last_quarter(history).values()  # mean d_loss, g_loss
print(f"last quarter: D's loss {d_end:.2f} (at chance {2 * np.log(2):.2f}), "
      f"G's loss {g_end:.2f} (at chance {np.log(2):.2f})")
if d_end < 0.8 * 2 * np.log(2) and g_end > 1.25 * np.log(2):
    print("D is winning: its loss is below chance and G's above it")
elif d_end > 1.2 * 2 * np.log(2) and g_end < 0.8 * np.log(2):
    print("G is winning: D's loss is above chance and G's below it")
else:
    print("neither network clearly dominates")

# %% [markdown]
# The same 16 noise vectors at each preview (one row per preview), so the k-th image of every
# row is the same sample, later in training. (With `PRETRAINED = True` there is one row, the
# shipped generator's: a loaded model has no earlier states.) Compare the last row with the
# real patches above; the measurements below say how close it comes.

# %%
for step_count, images in snapshots.items():
    plots.show_images(images, ncols=16, size=0.9, suptitle=f"after {step_count} steps")

# %% [markdown]
# ### Generated beside real
#
# Do the patches look like texture? Look first, then measure. Two simple statistics tell
# texture from blur or noise: the mean gradient magnitude (how much fine detail there is) and
# the standard deviation of pixel values (contrast). We compare generated patches with real
# ones, with what the generator made before training, and with uniform noise.

# %%
sample = article.samples(generator, 64, SEED)  # z ~ N(0, 1) drawn with the key (SEED, 999)
plots.show_images(np.concatenate([sample[:8], real[:: len(real) // 8][:8]]), ncols=8,
                  suptitle="top: generated · bottom: real");

# %% [markdown]
# The statistics are in the package (`article.texture_stats`), so that the shipped model's
# `metrics.json` records them exactly as this lesson computes them:

# %%
Code(inspect.getsource(article.texture_stats), language="python")


# %%
def against_real(ratio: float) -> str:
    """A ratio to the real patches' value, in words (within 25 %: about the same)."""
    if 0.8 <= ratio <= 1.25:
        return f"about real (×{ratio:.1f})"
    return f"{'more' if ratio > 1 else 'less'} than real (×{ratio:.1f})"


untrained, _, _ = article.build_gan(SEED)
rows = {"real": real[:: max(1, len(real) // 256)][:256],  # all three textures, not brick alone
        "generated": sample,
        "untrained generator": untrained(tf.random.stateless_normal([64, 100], seed=[SEED, 9]),
                                         training=False),
        "uniform noise": uniform_noise}
stats = {name: article.texture_stats(images) for name, images in rows.items()}
real_grad, real_std, real_patch = stats["real"]
print(f"{'':>20} {'gradient':>9} {'std':>6} {'std per patch':>14}   ratio to real")
for name, (grad, std, per_patch) in stats.items():
    print(f"{name:>20} {grad:9.3f} {std:6.3f} {np.median(per_patch):14.3f}   "
          f"gradient ×{grad / real_grad:.1f}, std ×{std / real_std:.1f}, "
          f"per patch ×{np.median(per_patch) / np.median(real_patch):.1f}")
gen_grad, gen_std, gen_patch = stats["generated"]
flatter = int((gen_patch < np.median(real_patch)).sum())
print(f"\ngenerated, fine detail (mean gradient): {against_real(gen_grad / real_grad)}; "
      f"uniform noise: ×{stats['uniform noise'][0] / real_grad:.1f}")
print(f"generated, contrast over all patches (std): {against_real(gen_std / real_std)}")
print(f"generated, contrast inside a patch (median): "
      f"{against_real(np.median(gen_patch) / np.median(real_patch))}; {flatter} of "
      f"{len(gen_patch)} generated patches are flatter than the median real patch")


# %% [markdown]
# Read the three lines under the table; a generator that has learned the texture's statistics
# is "about real" on all three. Under `smoke` (20 steps, unless `PRETRAINED = True`) training
# has only just started and the lines say little. Two readings matter after longer training.
# The contrast over all patches also counts how much patches differ from one another (one
# darker, one lighter), so compare it with the contrast *inside* a patch before calling the
# samples contrasted. And a mean gradient above real with a contrast inside a patch below it
# means fine speckle on flat patches: per-pixel noise rather than the edges of stones and
# blades. Where that is what you read, it is the MLP's handicap: every output pixel has its
# own weights and the network has no notion of neighbouring pixels, so smoothness must be
# learned pixel pair by pixel pair. Convolutions build it in (lesson 06); longer training may
# help too (the `gpu` profile trains 20,000 steps).
#
# ### Rerunning gives the same numbers
#
# Seeds are set in one place and the noise of each step is keyed by `(seed, step)`, so
# rebuilding and retraining for a few steps reproduces the losses. (On a busy CPU, TensorFlow
# may add up a sum in a different order and change the 7th significant digit, so we print
# losses to 4 decimals, as the progress bar does.)

# %%
def short_run(seed: int, steps: int = 5) -> list[float]:
    g, d, step = article.build_gan(seed)
    h = training.fit(step, datasets.image_batches(real, profile.batch_size, seed=seed), steps,
                     progress=False)
    return [round(v, 4) for v in h["d_loss"]]


first_run, second_run = short_run(SEED), short_run(SEED)
print("first run: ", first_run)
print("second run:", second_run)
print("identical:", first_run == second_run)

# %% [markdown]
# ## Part 3 · What an unconditional GAN cannot do
#
# The article promises *texture removal*: your textured photo in, its structure out. Look at
# the generator's inputs:

# %%
# NBVAL_CHECK_OUTPUT
print("generator input:", [tuple(i.shape) for i in generator.inputs])

# %% [markdown]
# Noise is its only input; there is nowhere to put *your* image. The best it could do is find
# the noise vector whose output is closest to your image. Let us try: take a 32×32 crop of
# scikit-image's coffee photograph and search for `z` by gradient descent on the squared error
# (`article.closest`; the weights stay fixed, only `z` moves):

# %%
Code(inspect.getsource(article.closest), language="python")

# %%
target = exemplars.patches(["coffee"], size=32, count=1, seed=SEED)
closest, psnr = article.closest(generator, target, article.search_steps(profile), SEED)
print(f"closest the generator gets to the crop after {article.search_steps(profile)} steps: "
      f"PSNR {psnr:.1f} dB")
plots.show_images(np.concatenate([target, closest]), titles=["your image", "closest G(z)"],
                  ncols=2, size=2);

# %% [markdown]
# It can only answer in its own vocabulary of brick, grass and gravel: the PSNR above is far
# below the 30 dB or so at which two images look alike. To remove texture from *a given
# image* the generator must take that image as input: a **conditional** GAN, the subject of
# lessons 04 and 05. What the unconditional GAN *can* do, make new texture, is the subject of
# lesson 06, which also lifts the fixed 32×32 size.
#
# With `PRETRAINED = True`, the cell below sets what this lesson measured of the shipped
# generator beside what its `metrics.json` recorded when it was made (`article.scores` and
# `article.last_quarter`, under `cpu` with seed 0).

# %%
if PRETRAINED:  # this lesson's numbers of the shipped generator, against its metrics.json
    made = shipped["settings"]["profile"], shipped["settings"]["seed"]
    measured = {"gradient": gen_grad, "std": gen_std, "patch_std": float(np.median(gen_patch)),
                "psnr": psnr, "d_loss": d_end, "g_loss": g_end}
    recorded = {**shipped["check"], **shipped["last_quarter"]}
    for key, value in measured.items():
        same = round(value, 4) == round(recorded[key], 4)
        print(f"{key:>9}: here {value:.4f}, metrics.json {recorded[key]:.4f} -> "
              + ("the same" if same else f"different (this run: {profile.name}, seed {SEED}; "
                 f"metrics.json: {made[0]}, seed {made[1]})"))
else:
    print("PRETRAINED = False: this lesson trained its own generator; nothing to compare")

# %% [markdown]
# ## Summary
#
# - The article's code fails at seven points: `Model().add`, a missing import, gradients cut by
#   `predict`, one optimizer for two networks, the same label for both networks and no real
#   data, a sigmoid fed to `from_logits=True`, and `imshow` of a batch.
# - The fixed GAN: generator called inside the tape, real → 1 and fake → 0 for the
#   discriminator, fake → 1 for the generator, logits out of the discriminator, one Adam(2e-4,
#   β1 = 0.5) per network, real texture patches as data.
# - The train step, two tapes and one simultaneous update of both networks, fits on a screen;
#   the package's `steps.make_gan_step` is that step, and `steps.make_step`, the same update
#   with options, trains every GAN of the course.
# - Trained on a CPU, the MLP generator makes new patches, as close to real texture as the
#   measurements above say; it cannot remove texture from your image, because it never
#   sees one.
#
# ## Exercises
#
# 1. Put the article's `sigmoid` back at the end of the discriminator (keep
#    `from_logits=True`) and train for a few steps. What happens to the discriminator's loss?
# 2. Train with the *minimax* generator loss (`loss="minimax"` in `steps.make_gan_step`).
#    Compare the generator loss at the first steps with the non-saturating one.
# 3. Train on grass alone, and on all three textures for the same number of steps. Are the
#    grass-only samples more alike (measure the mean distance between two samples)?
# 4. Build the generator with Keras' default initialisation for its last layer (copy
#    `networks.build_mlp_generator` and drop `kernel_initializer`). Train it and the course's
#    generator for the same number of steps and compare their samples' mean gradient (the
#    fine-detail measure above) with the real patches', before and after training.
# 5. (open) Add BatchNormalization after the discriminator's first layer (as lesson 06's
#    first version did), or replace the MLP discriminator by a small convolutional one.
#    Design the experiment that says whether either change helps this generator: which
#    measures of this lesson, how many seeds and steps, and what difference you would accept
#    as real rather than noise.
#
# The solutions train for fractions of `gan_steps`; with `PRETRAINED = True` (a class that
# loads this lesson's model rather than train it) for fractions of a tenth of it, so that the
# whole lesson stays short.

# %%
exercise_steps = profile.gan_steps // 10 if PRETRAINED else profile.gan_steps

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
# Exercise 1. A sigmoid before a from_logits loss squeezes each logit into (0, 1): the real
# term can only lie between log(1 + e^-1) and log 2, the fake term between log 2 and
# log(1 + e), so D's loss can never leave that band, however well D separates the two.
sig_d = keras.Sequential([networks.build_mlp_discriminator(), layers.Activation("sigmoid")])
sig_step = steps.make_gan_step(networks.build_mlp_generator(), sig_d, training.adam(),
                               training.adam(), latent_dim=100, seed=SEED)
sig_hist = training.fit(sig_step, datasets.image_batches(real, profile.batch_size, seed=SEED),
                        max(10, exercise_steps // 10), progress=False)
floor = float(np.log1p(np.exp(-1.0)) + np.log(2.0))
ceiling = float(np.log(2.0) + np.log1p(np.e))
print(f"possible d_loss with the sigmoid: {floor:.3f} to {ceiling:.3f}")
print(f"measured over {len(sig_hist['d_loss'])} steps: {min(sig_hist['d_loss']):.3f} to "
      f"{max(sig_hist['d_loss']):.3f}")
inside = floor - 1e-6 <= min(sig_hist["d_loss"]) and max(sig_hist["d_loss"]) <= ceiling + 1e-6
print("every step's d_loss is inside the band:", inside, f"(D's loss cannot fall below {floor:.3f}"
      ", so its curve can only flatten above that floor)")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
# Exercise 2. Minimax: G minimises log(1 - D(G(z))), which starts near -log 2 and is flat
# while D calls the fakes fake; the non-saturating loss starts near +log 2.
ex2_steps = max(10, exercise_steps // 10)
ex2 = {}
for loss_name in ("minimax", "nonsaturating"):
    g2, d2, _ = article.build_gan(SEED)
    step2 = steps.make_gan_step(g2, d2, training.adam(), training.adam(), 100, loss=loss_name,
                                seed=SEED)
    ex2[loss_name] = training.fit(step2, datasets.image_batches(real, profile.batch_size,
                                                                seed=SEED), ex2_steps,
                                  progress=False)["g_loss"]
    print(f"{loss_name:<14} g_loss, first 3 steps {[round(v, 3) for v in ex2[loss_name][:3]]}, "
          f"step {ex2_steps}: {ex2[loss_name][-1]:.3f}")
print(f"log 2 = {np.log(2):.3f}: minimax starts near -log 2, non-saturating near +log 2")


# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
# Exercise 3. Diversity: the mean distance between two samples of the same generator
# (root mean square difference over pixels), for grass-only and all-three training.
def mean_distance(images) -> float:
    x = np.asarray(images).reshape(len(images), -1)
    return float(np.mean([np.sqrt(np.mean((x[i] - x[j]) ** 2))
                          for i in range(len(x)) for j in range(i + 1, len(x))]))


grass = exemplars.patches(["grass"], size=32, count=len(real), seed=SEED)
ex3_steps = max(10, exercise_steps // 10)
ex3 = {}
for name, data in {"grass only": grass, "brick, grass, gravel": real}.items():
    g3, _, step3 = article.build_gan(SEED)
    training.fit(step3, datasets.image_batches(data, profile.batch_size, seed=SEED), ex3_steps,
                 progress=False)
    ex3[name] = g3(fixed_z, training=False).numpy()
    print(f"{name:<22} samples {mean_distance(ex3[name]):.3f} apart, "
          f"real patches {mean_distance(data[:: len(data) // 16][:16]):.3f} apart")
ratio = mean_distance(ex3["grass only"]) / mean_distance(ex3["brick, grass, gravel"])
verdict = ("about as alike as" if 0.9 <= ratio <= 1.1
           else "more alike than" if ratio < 1 else "less alike than")
print(f"after {ex3_steps} steps the grass-only samples are {verdict} the all-three ones "
      f"(distance ×{ratio:.2f}; within 10 % counts as about the same)")
plots.show_images(ex3["grass only"], ncols=16, size=0.9, suptitle="grass only");

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
# Exercise 4. Default initialisation against the course's small last layer: the samples'
# mean gradient, as a multiple of the real patches', before and after the same training.
z_in = keras.Input((100,))
h = z_in
for units in (256, 512, 1024):
    h = layers.ReLU()(layers.BatchNormalization(momentum=0.8)(layers.Dense(units)(h)))
ex4_steps = max(20, exercise_steps // 5)
gdt.set_seed(SEED)
ex4_after = {}
ex4_nets = {"default init": keras.Model(z_in, layers.Reshape((32, 32, 3))(
    layers.Dense(3072, activation="tanh")(h))), "small init": networks.build_mlp_generator()}
for name, g4 in ex4_nets.items():
    before = article.texture_stats(g4(fixed_z, training=False))[0] / real_grad
    step4 = steps.make_gan_step(g4, networks.build_mlp_discriminator(), training.adam(),
                                training.adam(), 100, seed=SEED)
    h4 = training.fit(step4, datasets.image_batches(real, profile.batch_size, seed=SEED),
                      ex4_steps, progress=False)
    after = ex4_after[name] = article.texture_stats(g4(fixed_z, training=False))[0] / real_grad
    print(f"{name:<13} mean gradient ×{before:.2f} of real before, ×{after:.2f} after "
          f"{ex4_steps} steps; D's loss at the end {np.mean(h4['d_loss'][-5:]):.2f}")
closer = min(ex4_after, key=lambda n: abs(np.log(ex4_after[n])))
print(f"after {ex4_steps} steps the {closer} generator is closer to the real fine detail; "
      "rerun under a longer profile to see whether the gap closes or stays")
