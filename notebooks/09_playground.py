# %% [markdown]
# # 09 · Playground: your image through the whole course, with the mouse
#
# **In this lesson you will**
# - choose an image — a benchmark photograph or a procedural pair (whose true structure is
#   known), one of scikit-image's photographs, or a file of your own, uploaded — and take its
#   texture off with the course's remover (the shipped one, or a run folder of yours);
# - see the input, its structure and the layer the remover took away side by side, with the
#   PSNR against the true structure where there is one;
# - put a new texture on the structure (brick, grass or gravel, quilted or painted by a
#   shipped texture GAN), choosing its seed and its strength with sliders;
# - hold the remover against a classical filter picked from a list, its knob on a slider;
# - save what you made, never over a file you already have;
# - measure how fast every control answers, and see what the playground keeps so that it
#   answers in well under a second.
#
# Lessons 05 to 08 did all this with code. Here nothing needs typing: run the lesson, then
# use the controls. **The controls are live in JupyterLab only**: the book shows the
# playground as it was when the lesson ran (its pictures and its controls' settings).
# Every control calls one method of `gandetexture.playground.Playground`, a plain class
# with tests, which you can also drive from code (the exercises do).

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0
PRETRAINED = True  # True: the course's shipped remover; False: lesson 05's (trained if missing)
IMAGE_FILE = None  # the path of your own image: the playground starts with it

# %%
import gandetexture as gdt

profile = gdt.setup(PROFILE, SEED, lesson="09_playground")

# %%
import inspect
import io
import time
from pathlib import Path

import numpy as np
from IPython.display import Code
from PIL import Image

from gandetexture import baselines, playground, plots, removal, widgets

OUT = gdt.output_dir("09_playground", profile)

# %% [markdown]
# The playground works on images of at most `SIDE` pixels on their long side:
# `playground.SIDE`, the size of lesson 07's large benchmark, or a quarter of it under
# `smoke`. What it offers to start from:

# %%
# NBVAL_CHECK_OUTPUT
SIDE = 128 if profile.name == "smoke" else playground.SIDE
print(f"images of at most {SIDE} px a side; to choose from:")
for label in playground.sources(SIDE, SEED):
    print("  " + label)
print("exemplars:", ", ".join(playground.EXEMPLARS), "| painters:",
      ", ".join(playground.PAINTERS), "| quilting scales:", playground.SCALES)

# %% [markdown]
# ## The remover
#
# With `PRETRAINED = True` (the default here) the remover is the one the package ships:
# lesson 05's, trained under `cpu` by `python -m gandetexture train-remover`. With `False`,
# lesson 05's own run folder under this profile, trained there first if it holds none
# (as lessons 07 and 08 do). In the playground you can add any run folder of
# `train-remover` (type its path, press *load remover*).

# %%
remover = removal.lesson_remover(profile, SEED, pretrained=PRETRAINED)
LABEL = "shipped" if PRETRAINED else f"lesson 05 ({profile.name})"

# %% [markdown]
# ## What the controls call
#
# `playground.Playground` holds the image, the settings and three caches. Moving the
# strength slider only rescales a texture layer already painted; the remover runs once per
# image, a texture is painted once per exemplar, scale, seed and size, and a filter runs
# once per image and setting. Painting, for instance, is kept like this:

# %%
Code(inspect.getsource(playground.Playground.new_layer), language="python")

# %% [markdown]
# and the re-textured image is lesson 08's `retexture.blend_strength` of the structure and
# that layer: the same image `retexture.retexture` makes with that texture, seed and
# strength (`tests/test_playground.py` checks it).

# %%
Code(inspect.getsource(playground.Playground.retextured), language="python")

# %% [markdown]
# The playground starts with the first benchmark photograph, or with your `IMAGE_FILE`
# (shrunk to `SIDE` if larger). Its state, before anything is moved:

# %%
pg = playground.Playground({LABEL: remover}, side=SIDE, seed=SEED, out=OUT / "saved")
if IMAGE_FILE:
    mine, note = playground.fit(gdt.load_image(IMAGE_FILE), SIDE)
    pg.choose(playground.Scene(f"file: {Path(IMAGE_FILE).name}", mine, note=note or "yours"))
start = time.perf_counter()
shown = pg.panels()
print(pg.status)
print(f"structure, texture and filter of this image: {time.perf_counter() - start:.1f} s")
plots.show_images(list(shown.values()), titles=[pg.caption(name) for name in shown],
                  ncols=3, value_range=(0, 1), size=3.6);

# %% [markdown]
# Top: the input, the remover's structure and the layer it took away (contrast stretched:
# a weak layer is faint). Bottom: brick quilted onto the structure at lesson 08's strength
# (`strength=0.1`), and relative total variation, the best classic of lesson 07, in the
# middle of its settings. Where the image has a true structure, each title gives the PSNR
# against it.
#
# ## The playground
#
# Run the lesson in JupyterLab, then:
#
# - **image**: pick another image, or **your image** to upload one (PNG, JPEG, anything
#   Pillow reads; larger than `SIDE` it is shrunk, and the status line says so);
# - **remover**: switch between the removers loaded; **run folder** + **load remover** adds
#   one of yours (`outputs/05_texture_removal/cpu/remover-run`, or a `train-remover --out`);
# - **exemplar**, **painter** (quilting, or the shipped GAN), **scale** (quilting only),
#   **seed**, **strength**: the new texture;
# - **filter** and **setting**: a classical filter and its knob (its grid of lesson 07);
# - **save result**: writes the re-textured image into the lesson's output folder, under a
#   new name each time.
#
# The status line says what the last control did and how long it took; a mistake (a file
# that is no image, a folder without a remover) shows there in one line. In the book, the
# widget below is a picture of its first state.

# %%
box = widgets.playground(pg)
box

# %% [markdown]
# ## How fast does it answer?
#
# `widgets.time_controls` sets each control as you would, back, and again: *first* is what
# a new setting costs, *again* what the same setting costs once the playground keeps it.
# Then it sets every control back (the picture above does not change).

# %%
rows = widgets.time_controls(box)
print(f"{SIDE}-px images, {pg.scene.name}")
print(f"{'control':9s} {'new value':>24s} {'first':>8s} {'again':>8s}")
for row in rows:
    print(f"{row['control']:9s} {row['value']!s:>24s} {row['first_s']:7.3f}s "
          f"{row['again_s']:7.3f}s")
slowest = max(rows, key=lambda row: row["again_s"])
print(f"slowest once kept: {slowest['control']} ({slowest['again_s']:.3f} s)")


# %% [markdown]
# What is left when a setting comes back is drawing: a few PNGs to encode and send. The
# first visit of a setting pays for what is new: a new image runs the remover (and makes
# the image), a new seed quilts or paints a texture, the first GAN of an exemplar loads
# it, and a new filter setting runs the filter (lesson 07 timed each: the iterative
# classics, L0 and RTV, are the slowest).
#
# ## Uploads
#
# `FileUpload` hands the playground the bytes of a file with its name (ipywidgets 8: a
# tuple of dicts holding `"name"` and `"content"`, a `memoryview`). The playground writes
# them to a temporary file and loads it with `gdt.load_image`, so an upload gets every
# check of lesson 01: grey images become RGB, a huge one is shrunk, a file that is no image
# is refused naming it. Two uploads and a text file, sent to the widget as a browser would
# (`playground.upload_value` makes what `FileUpload` holds):

# %%
def encoded(array: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


rng = np.random.default_rng(SEED)
files = {"grey.png": encoded(rng.integers(0, 256, (129, 77), dtype=np.uint8), "PNG"),
         "large.jpg": encoded(rng.integers(0, 256, (1100, 1500, 3), dtype=np.uint8), "JPEG"),
         "notes.txt": b"not a picture\n"}
tried = playground.Playground({LABEL: remover}, side=SIDE, seed=SEED, out=OUT / "saved",
                              scene="procedural pair 1")
tried.update(filter="gaussian")  # a quick filter: this box is for its status line
trial = widgets.playground(tried)
for name, content in files.items():
    trial.inputs["upload"].value = playground.upload_value(name, content)
    print(f"{name:10s} -> {trial.status.value}")

# %% [markdown]
# The grey PNG (77×129, width × height) becomes an RGB image, kept at its size where it fits in
# `SIDE`; the large JPEG is shrunk to `SIDE` on its long side (remove the texture of a
# full-size photograph with `python -m gandetexture remove`, lesson 05); the text file
# leaves the playground as it was, with one line in the status line.
#
# ## Saving
#
# `save result` (or `pg.save()`) writes the re-textured image as a PNG into the lesson's
# output folder, named after the image, exemplar, painter, seed and strength; a name that
# exists gets `-2`, `-3`... The file is opened in a mode that fails rather than replace one.

# %%
saved = pg.save()
print(saved.relative_to(OUT), f"({saved.stat().st_size:,} bytes)")

# %% [markdown]
# ## Summary
#
# - The playground takes an image through the course with controls: remove its texture
#   (the shipped remover or a run folder of yours), look at the structure and the removed
#   layer, paint a new texture at a seed and a strength, compare with a classical filter,
#   save the result.
# - Every control's logic is a method of `playground.Playground`, tested without a browser;
#   the widget only calls it and draws what changed.
# - It answers fast because it keeps what does not change: the remover's output per image,
#   each painted texture, each filter output. Only what is new costs time, and the status
#   line says how much.
# - Uploads go through `gdt.load_image`: any image Pillow reads, shrunk when large, and a
#   one-line message for a file that is not an image.
#
# ## Exercises
#
# 1. On the first procedural pair, which setting of total-variation filtering (`"tv"`)
#    comes closest to the true structure, and does it beat the remover? Drive a
#    `playground.Playground` from code: `update(filter=..., setting=i)`, `filtered()`,
#    `psnr(...)`.
# 2. Quilting or the GAN? Time a new seed with each painter on the same image, and show the
#    two re-textured images side by side.
# 3. Your own image (set `IMAGE_FILE`; without one, use `"photograph: chelsea"`): re-texture
#    it with gravel at strengths 0.05, 0.15 and 0.3 and save each.

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
drill = playground.Playground({LABEL: remover}, side=SIDE, seed=SEED, out=OUT / "exercises",
                              scene="procedural pair 1")
scores = {}
for i, params in enumerate(baselines.FILTERS["tv"][1]):
    drill.update(filter="tv", setting=i)
    scores[playground.filter_label(params)] = drill.psnr(drill.filtered())
best = max(scores, key=scores.get)
for label, value in scores.items():
    print(f"tv {label:12s} {value:6.2f} dB")
print(f"best: tv {best} at {scores[best]:.2f} dB; the remover "
      f"{drill.psnr(drill.structure()):.2f} dB")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
made = {}
for painter in playground.PAINTERS:
    drill.update(painter=painter, exemplar="brick", seed=7)
    start = time.perf_counter()
    made[painter] = drill.retextured()
    print(f"{painter:9s} a new seed: {time.perf_counter() - start:.2f} s")
plots.show_images(list(made.values()), titles=list(made), ncols=2, value_range=(0, 1),
                  size=3.5);

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
if IMAGE_FILE:
    drill.choose(playground.Scene(f"file: {Path(IMAGE_FILE).name}",
                                  playground.fit(gdt.load_image(IMAGE_FILE), SIDE)[0]))
else:
    drill.choose("photograph: chelsea")
strengths = [0.05, 0.15, 0.3]
images = []
for strength in strengths:
    drill.update(painter="quilting", exemplar="gravel", strength=strength)
    images.append(drill.retextured())
    print(drill.save().name)
plots.show_images([drill.scene.image, *images],
                  titles=[drill.scene.name, *(f"gravel, strength {s}" for s in strengths)],
                  ncols=4, value_range=(0, 1), size=3);
