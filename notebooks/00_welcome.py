# %% [markdown]
# # 00 · Welcome: GANs, from texture removal to texture generation
#
# **In this lesson you will**
# - see what the course teaches and the map of its lessons;
# - check that your installation works (TensorFlow, devices, the resolved profile);
# - learn the two conventions every lesson follows: the *parameters cell* and the *profile*;
# - practise the habit this course is built for: change one cell, rerun, compare.
#
# ## What this course is
#
# A *textured* photograph mixes two things: the **structure** (shapes, edges, smooth shading)
# and the **texture** (small repeated patterns: fabric, bricks, grain, print dots). This
# course teaches, with code you can run on a laptop, how generative adversarial networks
# (GANs) learn to
#
# 1. **remove texture**: a textured image in, its smooth structure out (lessons 04–05), and
# 2. **generate texture**: one exemplar in, new texture of any size out (lesson 06).
#
# It grew out of a short article whose example code does not run. We keep what it set out to
# teach (generator and discriminator, the adversarial losses, gradient descent, a
# `GradientTape` training loop, Adam with learning rate 2e-4 and β1 = 0.5, the MLP networks
# on 32×32×3 images with a 100-d latent) and make each piece correct and measured.
#
# ## The map
#
# | # | lesson | you learn |
# |---|---|---|
# | 00 | welcome | set-up, profiles, how to tweak and rerun |
# | 01 | texture and structure | what texture is, procedural textures, paired data |
# | 02 | the article's GAN, made right | the article's bugs, run; a working MLP GAN on real texture |
# | 03 | adversarial losses | the losses derived, computed and compared; gradient descent by hand |
# | 04 | the training loop | `tf.function`, two tapes, checkpoints, TensorBoard, pitfalls |
# | 05 | texture removal | a conditional GAN (pix2pix) that removes texture from *your* image |
# | 06 | texture generation | a fully convolutional GAN that paints a texture at any size |
#
# Lessons appear here as they are written; the lessons present in this copy are the
# numbered notebooks beside this one.
#
# ## The parameters cell
#
# The first code cell of every lesson is tagged `parameters` (open the property inspector
# in JupyterLab to see the tag). It holds the two knobs every lesson has:
#
# - `PROFILE`: how much compute to spend. `"smoke"` runs in seconds (it proves the code runs,
#   it is what the tests use), `"cpu"` gives results worth looking at on a 2-core laptop, in
#   the minutes that README.md's lesson table lists for each lesson, `"gpu"` is full quality. `"auto"` picks `gpu` when TensorFlow sees a
#   GPU and `cpu` otherwise, unless the environment variable `GANDETEXTURE_PROFILE` says
#   otherwise.
# - `SEED`: every random number in a lesson flows from it, so a rerun gives the same result.
#
# Papermill can set both from the command line
# (`papermill 02_the_article_gan.ipynb out.ipynb -p PROFILE cpu`), which is how the tests
# and the book run every lesson headless.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %% [markdown]
# The next cell applies them: it resolves the profile, seeds Python, NumPy and TensorFlow,
# turns on TensorFlow's deterministic ops and clears any Keras state left from an earlier run.

# %%
import gandetexture as gdt

profile = gdt.setup(PROFILE, SEED, lesson="00_welcome")

# %% [markdown]
# ## Installation check
#
# Which TensorFlow and Keras you run, and which devices TensorFlow can use. No GPU is needed:
# every lesson runs on a CPU under the `cpu` profile.

# %%
import platform

import keras
import tensorflow as tf

print("python    ", platform.python_version())
print("tensorflow", tf.__version__)
print("keras     ", keras.__version__)
print("devices   ", [d.device_type for d in tf.config.list_physical_devices()])
print("profile   ", profile.name)
print("outputs in", gdt.output_dir("00_welcome", profile))

# %% [markdown]
# ## The profiles
#
# One small table holds every size and step count the lessons use. Lessons read from it
# (`profile.batch_size`, `profile.gan_steps`, ...) rather than hard-coding numbers, so the
# same code runs in all three budgets. Every row is a concrete number; the last two are
# not stored but computed from `n_pairs` (`profile.bank_size`, how many structures and
# textures lesson 05's training stream combines, and `profile.eval_count`, the size of its
# evaluation splits), so they can never disagree with it.

# %%
# NBVAL_CHECK_OUTPUT
print(gdt.profile_table())

# %% [markdown]
# ## A first tensor, and a first image
#
# Images in this course are `float32` tensors of shape `[batch, height, width, 3]`. Networks
# see values in `[-1, 1]`; plots show them in `[0, 1]`. Here is one patch of scikit-image's
# bundled brick photograph (nothing is downloaded, ever: the data ships with scikit-image or
# is made by the package). `gandetexture.exemplars` holds the images textures are learnt
# from; `exemplars.patches` cuts random square crops of them, scaled to `[-1, 1]`.

# %%
from gandetexture import exemplars, plots

patches = exemplars.patches(["brick", "grass", "gravel"], size=32, count=6, seed=SEED)
print(patches.shape, patches.dtype, float(patches.min()), float(patches.max()))

# %%
plots.show_images(patches, titles=["brick"] * 2 + ["grass"] * 2 + ["gravel"] * 2, ncols=6);

# %% [markdown]
# ## Tweak and rerun
#
# Every lesson is safe to rerun: running a cell twice, or the whole notebook twice, gives the
# same result, because the seed is set in one place and state is rebuilt. Check it: the two
# draws below come from the same seed and are identical.

# %%
import numpy as np

first = exemplars.patches(["brick"], size=32, count=4, seed=SEED)
second = exemplars.patches(["brick"], size=32, count=4, seed=SEED)
print("same seed, same patches:", np.array_equal(first, second))

# %% [markdown]
# Now change `SEED` in the parameters cell to `1`, and run *Run → Run All Cells*: the patches
# change; set it back to `0` and they come back.
#
# ## Summary
#
# - The course has two halves: removing texture (conditional GANs) and generating it
#   (fully convolutional GANs), both trained from scratch on data made here.
# - Every lesson starts with a `parameters` cell (`PROFILE`, `SEED`) and a `setup` call.
# - `smoke`, `cpu`, `gpu` change sizes and step counts, never the code.
#
# ## Exercises
#
# 1. Print the batch size and the number of GAN training steps of the `cpu` profile.
# 2. Draw 8 gravel patches of size 48 with seed 3 and show them.

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
cpu = gdt.PROFILES["cpu"]
print(cpu.batch_size, cpu.gan_steps)
plots.show_images(exemplars.patches(["gravel"], size=48, count=8, seed=3), ncols=8);
