# %% [markdown]
# # 01 · Texture and structure: the data of the course
#
# **In this lesson you will**
# - tell *texture* from *structure* with three measurements: gradient magnitude, local
#   variance and the Fourier spectrum;
# - meet the procedural texture families of `gandetexture.textures` and their knobs
#   (scale, orientation, contrast, colour);
# - compose training pairs `textured = compose(structure, texture)` with three blend modes;
# - split pairs into train / validation / test sets that never share a pair, and feed them
#   to TensorFlow with `tf.data`;
# - measure whether the input pipeline is fast enough for lesson 05's training step;
# - load your own images safely, and play with a texture in a small widget.
#
# ## Why we make our own data
#
# Texture removal learns from **pairs**: a textured image and the clean image underneath.
# Nobody photographs the same wall with and without its bricks, and this course never
# downloads anything, so we *make* the pairs: a piecewise-smooth **structure** image (shapes,
# smooth shading, edges) with a procedural **texture** laid over it. Because we made both
# halves, we know the right answer for every textured image.
#
# scikit-image ships three real photographs of texture (brick, grass, gravel). The
# removal training data never uses them: they stay unseen, as the real-world test of
# lesson 05.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0
DEMO_SIZE = 128  # height and width of the illustrations (not of the training data)
FAMILY = "bricks"  # the texture the widget starts with

# %% [markdown]
# As in every lesson, the next cell resolves the profile and seeds everything.

# %%
import gandetexture as gdt

profile = gdt.setup(PROFILE, SEED, lesson="01_texture_and_structure")

# %% [markdown]
# ## Texture against structure
#
# Texture features are usually described by **edges**, **local contrast** and
# **frequency content**. Let us make one pair and look at all three. `make_pairs` returns
# float32 arrays `[n, H, W, 3]` in `[0, 1]`: the textured images and their structures.

# %%
import numpy as np

from gandetexture import datasets, plots

textured, structure = datasets.make_pairs(1, DEMO_SIZE, seed=SEED, blend="multiplicative",
                                          families=["weave"], amplitude=(0.5, 0.5))
print(textured.shape, textured.dtype, float(textured.min()), float(textured.max()))

# %% [markdown]
# Three measurements, each a map the size of the image (computed on the grey level):
#
# - **gradient magnitude** (Sobel filter): large at every edge, and texture is made of edges;
# - **local variance** in a 7×7 window: how much the image varies *around* each pixel;
# - **Fourier spectrum** `log |FFT|`: centre = slow variations, rim = fine detail (the bright
#   lines through the centre come from the image's straight edges and borders).

# %%
from scipy import ndimage
from skimage import filters


def gray(image):
    return image.mean(axis=-1)


def gradient_magnitude(image):
    return filters.sobel(gray(image))


def local_variance(image, window=7):
    g = gray(image)
    mean = ndimage.uniform_filter(g, window)
    return np.maximum(ndimage.uniform_filter(g * g, window) - mean * mean, 0.0)


def log_spectrum(image):
    g = gray(image) - gray(image).mean()
    return np.log1p(np.abs(np.fft.fftshift(np.fft.fft2(g))))


# %%
import matplotlib.pyplot as plt

fig, axes = plt.subplots(2, 4, figsize=(10, 5.2))
for row, (name, image) in enumerate([("textured", textured[0]), ("structure", structure[0])]):
    maps = [image, gradient_magnitude(image), local_variance(image), log_spectrum(image)]
    titles = ["image", "gradient magnitude", "local variance", "log |FFT|"]
    for ax, data, title in zip(axes[row], maps, titles):
        ax.imshow(data, cmap=None if data.ndim == 3 else "magma")
        ax.set_title(f"{name}: {title}", fontsize=8)
        ax.axis("off")
fig.tight_layout()


# %% [markdown]
# One pair is an anecdote. Over a batch of pairs, the three numbers below summarise each map:
# the mean gradient magnitude, the mean local variance, and the share of spectral energy
# beyond a quarter of the highest frequency.

# %%
def high_frequency_share(image, cutoff=0.25):
    g = gray(image) - gray(image).mean()
    power = np.abs(np.fft.fft2(g)) ** 2
    fy = np.fft.fftfreq(g.shape[0])[:, None]
    fx = np.fft.fftfreq(g.shape[1])[None, :]
    high = np.hypot(fx, fy) > cutoff * 0.5
    return float(power[high].sum() / max(power.sum(), 1e-12))


many_t, many_s = datasets.make_pairs(profile.batch_size, DEMO_SIZE, seed=SEED)
measures = {"gradient": lambda x: float(gradient_magnitude(x).mean()),
            "local var": lambda x: float(local_variance(x).mean()),
            "high-freq": high_frequency_share}
print(f"{'mean over ' + str(len(many_t)) + ' pairs':<22}{'textured':>10}{'structure':>11}")
for name, measure in measures.items():
    t_value = np.mean([measure(x) for x in many_t])
    s_value = np.mean([measure(x) for x in many_s])
    print(f"{name:<22}{t_value:>10.4f}{s_value:>11.4f}")

# %% [markdown]
# On every one of the three numbers the textured images score higher than their structures
# (the table above): texture adds edges everywhere, raises the local variance away from the
# shapes' borders, and moves energy to high frequencies. A texture remover has to take that
# away *without* removing the structure's own edges — which is why a simple blur is not
# enough (lesson 05 measures that).
#
# ## The texture families
#
# `gandetexture.textures` draws each family as a function of rotated, scaled pixel
# coordinates, vectorised with NumPy. All of them are in `textures.FAMILIES`; the ones at its
# end (stones, blades, fibres, halftone, speckle) imitate photographed textures (gravel,
# grass, hair, print, grain). Random draws (`random_params`, `random_texture`, and so the
# training pairs) use only the families in `textures.DRAWN` unless given `families=`; the
# cell below counts both. Randomness (phases, cell positions, per-brick shades) comes from an
# integer hash keyed by the seed, so the same arguments always give the same image.

# %%
# NBVAL_CHECK_OUTPUT
from gandetexture import textures

print(f"{len(textures.FAMILIES)} families in textures.FAMILIES")
print(f"{len(textures.DRAWN)} drawn by default (textures.DRAWN):", ", ".join(textures.DRAWN))
print("only on request:", ", ".join(n for n in textures.FAMILIES if n not in textures.DRAWN))

# %%
gallery = [textures.render(name, DEMO_SIZE, seed=SEED, scale=DEMO_SIZE / 12, orientation=20)
           for name in textures.FAMILIES]
plots.show_images(np.stack(gallery), titles=list(textures.FAMILIES), ncols=6,
                  value_range=(0, 1), size=1.8);

# %% [markdown]
# Every family takes the same four knobs. Here is one family with each knob turned in turn:
# `scale` (pixels per repeat), `orientation` (degrees), `contrast` and `color` (one tint, or a
# dark and a light tone).

# %%
knobs = [{}, {"scale": DEMO_SIZE / 6}, {"orientation": 60}, {"contrast": 0.4},
         {"color": (0.9, 0.5, 0.2)}, {"color": ((0.1, 0.1, 0.4), (0.6, 1.0, 0.8))}]
variants = [textures.render(FAMILY, DEMO_SIZE, seed=SEED,
                            **{"scale": DEMO_SIZE / 12, **knob}) for knob in knobs]
plots.show_images(np.stack(variants), ncols=6, value_range=(0, 1), size=1.8,
                  titles=["default"] + [", ".join(k) for k in knobs[1:]]);

# %% [markdown]
# `random_texture` draws a family and all its parameters from one seed, and returns them,
# so any texture you like can be rendered again.

# %%
drawn = [textures.random_texture(DEMO_SIZE, seed=SEED + k) for k in range(6)]
plots.show_images(np.stack([image for image, _ in drawn]), ncols=6, value_range=(0, 1),
                  size=1.8, titles=[params["name"] for _, params in drawn]);

# %%
# NBVAL_CHECK_OUTPUT
image, params = textures.random_texture(32, seed=3)
print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in params.items()
       if k != "color"})
print("rendered again, identical:", np.array_equal(image, textures.render(size=32, **params)))

# %% [markdown]
# ## Structure images
#
# `gandetexture.structures` draws the clean half: a colour-gradient background and a few
# ellipses, rectangles, polygons and half-planes with flat or gradient fills and sharp or
# soft edges. They are *piecewise smooth*: flat almost everywhere, with a few edges.

# %%
from gandetexture import structures

plots.show_images(structures.make_structures(6, DEMO_SIZE, seed=SEED), ncols=6,
                  value_range=(0, 1), size=1.8);

# %% [markdown]
# ## Composing a pair: three blend modes
#
# With `s` the structure, `T` the texture in `[0, 1]`, `t = 2T − 1` in `[−1, 1]` and `a`
# the amplitude, `datasets.compose` offers (result clipped to `[0, 1]`):
#
# | mode | formula | looks like |
# |---|---|---|
# | `multiplicative` | `s · (1 + a·t)` | print or shading on a surface; dark areas stay dark |
# | `additive` | `s + a·t` | a layer of light or grain on top, same strength everywhere |
# | `mix` | `(1 − a)·s + a·T` | a semi-transparent coloured layer, pulling colours towards it |
#
# Before a texture is laid on, `datasets.centre_texture` shifts each of its colour channels to
# average 0.5, so `t` averages 0: the texture keeps its pattern, contrast and hue but cannot
# tint the whole image. Otherwise no one, person or network, could tell from the textured
# image what colour the structure underneath was; with it, `multiplicative` and `additive`
# keep the structure's average colour (up to clipping) and `mix` pulls it towards grey by `a`.
# scikit-image's real textures (lesson 05) are normalised the same way.

# %%
s = structures.structure(DEMO_SIZE, seed=SEED)
texture = textures.render("tiles", DEMO_SIZE, seed=SEED, scale=DEMO_SIZE / 10,
                          color=(0.95, 0.85, 0.6))
composed = [datasets.compose(s, texture, mode, amplitude=0.4) for mode in datasets.BLENDS]
plots.show_images(np.stack([s, texture, *composed]), ncols=5, value_range=(0, 1), size=2,
                  titles=["structure", "texture", *datasets.BLENDS]);

# %% [markdown]
# The pairs used for training draw everything at random for each pair: structure, texture
# family and parameters, blend mode and amplitude (0.15 to 0.5 by default). With
# `return_info=True`, `make_pairs` says what it drew.

# %%
pairs_t, pairs_s, info = datasets.make_pairs(8, profile.image_size, seed=SEED,
                                             return_info=True)
plots.show_images(np.concatenate([pairs_t, pairs_s]), ncols=8, value_range=(0, 1),
                  titles=[f"{i['name']}\n{i['blend'][:5]} {i['amplitude']:.2f}" for i in info]
                  + [""] * 8);

# %% [markdown]
# Same arguments, same bytes: pair `i` is drawn from its own generator
# `default_rng([seed, split, i])`, so reruns are identical and pair 5 does not change when
# you ask for 10 pairs instead of 8.

# %%
# NBVAL_CHECK_OUTPUT
again_t, again_s = datasets.make_pairs(8, profile.image_size, seed=SEED)
longer_t, _ = datasets.make_pairs(10, profile.image_size, seed=SEED)
print("byte-identical rerun:", again_t.tobytes() == pairs_t.tobytes()
      and again_s.tobytes() == pairs_s.tobytes())
print("pair 5 unchanged in a longer run:", np.array_equal(longer_t[5], pairs_t[5]))

# %% [markdown]
# ## Train, validation and test splits
#
# `pair_splits` makes the three splits from three different streams, so no pair (and no
# structure) appears in two splits, and the validation and test sets stay the same when the
# training set grows. Sizes come from the profile.

# %%
# NBVAL_CHECK_OUTPUT
splits = datasets.pair_splits(profile, n_train=profile.n_pairs // 8,
                              n_val=profile.batch_size, n_test=profile.batch_size, seed=SEED)
for name, (t, s) in splits.items():
    print(f"{name:<6} textured {t.shape}  structure {s.shape}")

# %% [markdown]
# Check the promise, byte for byte: hash every pair and count the distinct ones.

# %%
# NBVAL_CHECK_OUTPUT
import hashlib


def digests(t, s):
    return {hashlib.sha1(a.tobytes() + b.tobytes()).hexdigest() for a, b in zip(t, s)}


sets = {name: digests(*pair) for name, pair in splits.items()}
total = sum(len(d) for d in sets.values())
print("pairs:", total, " distinct:", len(set.union(*sets.values())))
print("train ∩ val:", len(sets["train"] & sets["val"]), " train ∩ test:",
      len(sets["train"] & sets["test"]), " val ∩ test:", len(sets["val"] & sets["test"]))

# %% [markdown]
# ## Feeding TensorFlow: `tf.data`
#
# Networks see `[-1, 1]`. `pair_dataset` turns the arrays into shuffled, endlessly repeated
# batches in that range; with `augment=True` each pair gets one of the 8 flips and 90°
# rotations — the same one for both images, or the pair would no longer match. The shuffle
# is stateless, keyed by `(seed, epoch)`, so the order depends on the seed alone.

# %%
# NBVAL_CHECK_OUTPUT
train_ds = datasets.pair_dataset(*splits["train"], batch_size=profile.batch_size, seed=SEED,
                                 augment=True)
batch_t, batch_s = next(iter(train_ds))
print(batch_t.shape, batch_t.dtype, batch_s.shape)
print("in [-1, 1]:", bool(batch_t.numpy().min() >= -1 and batch_t.numpy().max() <= 1))

# %%
plots.show_images(np.concatenate([batch_t[:8], batch_s[:8]]), ncols=8);

# %% [markdown]
# For long runs, `pair_stream` makes pairs *inside* `tf.data` instead: it draws a bank of
# structures and a bank of textures once, then each batch combines a random structure with a
# random texture, each under its own flip or rotation, with a random blend mode and
# amplitude: about `bank² × 64` combinations from a few tensor operations per batch.

# %%
stream = datasets.pair_stream(profile.image_size, profile.batch_size, seed=SEED,
                              bank_size=4 * profile.batch_size)
stream_t, stream_s = next(iter(stream))
print(stream_t.shape, stream_s.shape)

# %% [markdown]
# ## Is the pipeline fast enough?
#
# Input should never make training wait. We measure pairs per second of both pipelines at
# this profile's image size and batch size...

# %%
import os
import time


def pairs_per_second(dataset, batch_size, batches=64):
    iterator = iter(dataset)
    for _ in range(3):  # warm-up: tracing, prefetch
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * batch_size / (time.perf_counter() - start)


pipeline_rates = {"pair_dataset": pairs_per_second(train_ds, profile.batch_size),
                  "pair_stream": pairs_per_second(stream, profile.batch_size)}
for name, rate in pipeline_rates.items():
    print(f"{name:<13}{rate:>9,.0f} pairs/s   ({profile.image_size}×{profile.image_size}, "
          f"batch {profile.batch_size})")
print("cpu cores:", os.cpu_count(), " load average:", os.getloadavg())

# %% [markdown]
# ...and the images per second that lesson 05's training step consumes: the pix2pix
# generator (a U-Net) and discriminator (a PatchGAN) of this profile, one generator and one
# discriminator update per step, timed over a few steps after the first (which traces the
# graph). The networks come from `gandetexture.networks`, the step from
# `gandetexture.steps`.

# %%
import tensorflow as tf

from gandetexture import networks, steps, training

generator, discriminator = networks.build_remover(profile)
step = steps.make_remover_step(generator, discriminator, training.adam(), training.adam())
step((batch_t, batch_s), tf.constant(0, tf.int64))  # trace
n_steps = 3
start = time.perf_counter()
for k in range(1, n_steps + 1):
    losses = step((batch_t, batch_s), tf.constant(k, tf.int64))
float(next(iter(losses.values())))  # wait for the last step
step_rate = n_steps * profile.batch_size / (time.perf_counter() - start)
print(f"training step: {step_rate:,.0f} images/s")
for name, rate in pipeline_rates.items():
    print(f"{name:<13} supplies {rate / step_rate:,.1f}× what the step consumes")

# %% [markdown]
# Compare the two measurements above: when the ratio is well above 1, the input pipeline
# keeps up with training on this machine, and `tf.data`'s prefetching overlaps the two.
# The benchmark script `benchmarks/pipeline.py` measures the same at 64×64 and 128×128
# (the course's targets are 1,000 and 250 pairs/s on a 2-core machine).
#
# ## The real-world test: scikit-image's photographs
#
# `real_texture_pairs` puts crops of the real brick, grass and gravel photographs on
# structure images from a stream of their own. Lesson 05 trains on procedural pairs only and
# tests on these, to see whether what it learned carries over to real texture.

# %%
from gandetexture import exemplars

real_t, real_s = datasets.real_texture_pairs(6, DEMO_SIZE, seed=SEED)
plots.show_images(np.concatenate([real_t, real_s]), ncols=6, value_range=(0, 1), size=1.8,
                  titles=list(exemplars.TEXTURES) * 2 + [""] * 6);

# %% [markdown]
# ## Your own images
#
# `gdt.load_image(path)` reads any image Pillow can read as float32 RGB `[H, W, 3]` in
# `[0, 1]`: grayscale, palette, 16-bit and transparent images are converted, EXIF-rotated
# photos are turned upright, huge files are refused before they are decoded. A bad file
# raises `gdt.ImageLoadError` (a `ValueError`) that names the file and says what is wrong.
# Here we save an image into this lesson's output folder and load it back.

# %%
from PIL import Image

folder = gdt.output_dir("01_texture_and_structure", profile)
pixels = (textures.render("wood", DEMO_SIZE, seed=SEED, color=(0.8, 0.55, 0.3)) * 255)
Image.fromarray(pixels.astype(np.uint8)).save(folder / "my_wood.png")
mine = gdt.load_image(folder / "my_wood.png")
print(mine.shape, mine.dtype)

# %% [markdown]
# A text file with an image's name is refused with a clear message (we catch the error to
# print it):

# %%
(folder / "not_a_picture.jpg").write_text("shopping list: bread, milk\n")
try:
    gdt.load_image(folder / "not_a_picture.jpg")
except gdt.ImageLoadError as error:
    print(type(error).__name__, "->", error.reason)

# %% [markdown]
# The texture-generation lessons sample crops from one exemplar; `exemplars.sampler` takes a
# scikit-image name or your file's path and yields endless batches in `[-1, 1]`.

# %%
crops = next(iter(exemplars.sampler(folder / "my_wood.png", size=profile.image_size,
                                    batch_size=6, seed=SEED)))
plots.show_images(crops, ncols=6);

# %% [markdown]
# ## Play with a texture
#
# The widget below changes one texture's parameters and shows the texture, a structure and
# the two composed. Move a slider and the picture updates (in a live notebook; the book
# shows the starting state). Its logic lives in `gandetexture.widgets.TextureControl`,
# which you can also drive from code.

# %%
from gandetexture import widgets

box = widgets.texture_widget(widgets.TextureControl(family=FAMILY, size=DEMO_SIZE))
box

# %% [markdown]
# ## Summary
#
# - Texture shows up as edges everywhere, high local variance and high-frequency energy;
#   structure is piecewise smooth. We measured all three on the pairs.
# - The procedural families of `textures.FAMILIES` share four knobs (scale, orientation,
#   contrast, colour) and are reproducible from a seed; `random_texture` draws one from the
#   default set `textures.DRAWN` (counted above), or from the families you pass it.
# - A pair is `compose(structure, texture)` with a multiplicative, additive or mix blend;
#   splits come from separate streams and never share a pair.
# - `pair_dataset` (from arrays) and `pair_stream` (made inside `tf.data`) feed `[-1, 1]`
#   batches; we measured both against lesson 05's training step.
# - `gdt.load_image` reads your images and fails with one clear error type.
#
# ## Exercises
#
# 1. Make 8 pairs of this profile's size with only the `stripes` and `checker` families,
#    the additive blend and a fixed amplitude of 0.5, and show them.
# 2. Which blend mode moves the mean colour of an image furthest from its structure's?
#    Measure it over 32 pairs per mode.
# 3. Is scikit-image's real texture "more textured" than ours by the local-variance measure?
#    Compare `real_texture_pairs` with `make_pairs` (`profile.batch_size` pairs each, at the
#    profile's image size).
# 4. (open) Design a new texture family that none of `textures.FAMILIES` imitates (a
#    texture you can photograph around you), write it as a function of `(u, v, key, px)`
#    like the others, and find a measure from this lesson (gradient, local
#    variance, spectrum) on which it differs most from the existing families. Would adding it
#    to the training draws help lesson 05 on the real photographs, and how would you test that?

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
ex_t, ex_s = datasets.make_pairs(8, profile.image_size, seed=SEED, families=["stripes", "checker"],
                                 blend="additive", amplitude=(0.5, 0.5))
plots.show_images(np.concatenate([ex_t, ex_s]), ncols=8, value_range=(0, 1));

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
for mode in datasets.BLENDS:
    t, s = datasets.make_pairs(32, profile.image_size, seed=SEED, blend=mode)
    shift = np.abs(t.mean(axis=(1, 2)) - s.mean(axis=(1, 2))).mean()
    print(f"{mode:<15} mean colour shift {shift:.4f}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
real_t, _ = datasets.real_texture_pairs(profile.batch_size, profile.image_size, seed=SEED)
ours_t, _ = datasets.make_pairs(profile.batch_size, profile.image_size, seed=SEED)
print("real      ", np.mean([local_variance(x).mean() for x in real_t]))
print("procedural", np.mean([local_variance(x).mean() for x in ours_t]))
