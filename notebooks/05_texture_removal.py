# %% [markdown]
# # 05 · Texture removal: a conditional GAN (pix2pix)
#
# **In this lesson you will**
# - build the two networks of pix2pix: a **U-Net** generator (textured image in, structure
#   out) and a **PatchGAN** discriminator that judges (textured, structure) *pairs*, and count
#   their parameters and the discriminator's receptive field;
# - tune three classical filters (total variation, Gaussian, bilateral) on a validation split,
#   so the network has honest competition;
# - compare a *residual* generator (structure = input + learned correction) with a plain one,
#   and L1 alone with L1 + adversarial, measuring each choice;
# - train the remover with one call of the package, `removal.train_remover` (the course's one
#   training loop: checkpoints, TensorBoard, previews of input / prediction / ground truth) and
#   score it on a test split with `tf.image.psnr` and `tf.image.ssim`;
# - try it on structures textured with real photographs (brick, grass, gravel) it never saw,
#   on **your own image** of any size, and look at where it fails.
#
# The article's GAN (lesson 02) draws images from noise; it cannot take *your* image and
# clean it. A **conditional** GAN can: the generator gets the textured image as its input, and
# the discriminator sees the input next to the candidate answer, so "real" means "a plausible
# structure *of this image*". Lesson 04 built the training loop this lesson uses.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0
IMAGE_FILE = None  # the path of your own image, e.g. "my_photo.jpg"
PRETRAINED = False  # True: load the course's shipped remover instead of training one

# %%
import gandetexture as gdt

profile = gdt.setup(PROFILE, SEED, lesson="05_texture_removal")

# %%
import inspect
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Code

from gandetexture import baselines, metrics, networks, plots, pretrained, removal, steps, training

out_dir = gdt.output_dir("05_texture_removal", profile)

# %% [markdown]
# ## The data
#
# Pairs `(textured, structure)` come from lesson 01's generator: a procedural structure (flat
# and shaded shapes) with a procedural texture laid over it by one of three blends. Training
# batches are composed on the fly (`removal.training_data`, an endless deterministic
# `tf.data` stream, values in [-1, 1]); validation, test and real-texture splits are fixed
# arrays in [0, 1] that training never sees.

# %%
data = removal.evaluation_data(profile, SEED)
for split, (textured, structure) in data.items():
    print(f"{split:5s} textured {textured.shape}  structure {structure.shape}")
train_batches = removal.training_data(profile, SEED)
textured, structure = next(iter(train_batches))
print("one training batch:", textured.shape, structure.shape,
      f"values in [{float(tf.reduce_min(textured)):.2f}, {float(tf.reduce_max(textured)):.2f}]")

# %%
val_t, val_s = data["val"]
plots.show_images(np.concatenate([val_t[:6], val_s[:6]]), ncols=6, value_range=(0, 1),
                  titles=["textured"] * 6 + ["structure"] * 6);

# %% [markdown]
# ## The generator: a U-Net
#
# The encoder halves the image `profile.depth` times (4×4 convolutions with stride 2); the
# decoder doubles it back (4×4 transposed convolutions). A plain encoder–decoder would have to
# squeeze every edge through the small bottleneck; the U-Net's **skip connections** hand each
# decoder level the encoder's features of the same size, so edges stay sharp. With
# `residual=True` the network outputs a *correction* that is added to its input: it starts as
# the identity (its last layer is zero) and only has to learn what to take away.
#
# One addition to pix2pix, a **global context**: the bottleneck's features are averaged over
# the whole image into one vector, handed to every position of the decoder, and that vector
# also sets one gain and one offset per colour channel of the output (starting at "no
# change"). A blend such as `mix` pulls the *whole* image towards grey by an amount that one
# window cannot judge, but the whole image can. Its effect is measured below.

# %%
generator, discriminator = networks.build_remover(profile)
generator.summary(line_length=90, expand_nested=False)

# %% [markdown]
# Try it on one validation image, as soon as it exists: image in, same-size image out (before
# training the residual generator returns its input unchanged).

# %%
# NBVAL_CHECK_OUTPUT
one = tf.constant(val_t[:1] * 2 - 1)
print("textured", one.shape, "-> structure", generator(one, training=False).shape)
print("untrained residual generator = identity:",
      bool(np.allclose(generator(one, training=False), one, atol=1e-6)))

# %% [markdown]
# ## The discriminator: a PatchGAN
#
# It sees the textured image and a candidate structure stacked (6 channels) and answers not
# once per image but once per overlapping **patch**: a map of logits. Each logit depends only
# on a window of the input, its *receptive field*; the L1 loss takes care of the large scale,
# the discriminator of the local look (are the regions flat, are the edges crisp).

# %%
# NBVAL_CHECK_OUTPUT
logits = discriminator([one, one], training=False)
print("pair", one.shape, "+", one.shape, "-> patch logits", logits.shape)
print("receptive field:", networks.receptive_field(discriminator), "pixels of a",
      profile.image_size, "pixel image")
print("generator parameters:    ", networks.count_params(generator))
print("discriminator parameters:", networks.count_params(discriminator))

# %% [markdown]
# ## The train step
#
# `steps.make_remover_step` builds the pix2pix step: the discriminator learns real pairs → 1,
# fake pairs → 0; the generator minimises its adversarial loss plus
# `100 × L1(prediction, structure)`. It is a short wrapper: what makes it conditional is
# `paired_inputs`, which hands the textured image to the generator and pairs it with each
# candidate for the discriminator.

# %%
Code(inspect.getsource(steps.make_remover_step) + "\n\n" + inspect.getsource(steps.paired_inputs),
     language="python")

# %% [markdown]
# The update itself is `steps.make_step`, the course's one adversarial step, shared by every GAN
# of the course; lesson 04 wrote the same step by hand. The inner `step` holds the two tapes:
# one forward pass, the discriminator's loss on real and fake pairs, the generator's
# adversarial loss plus the L1 term, then one update of each network. (One change from the
# article's optimizers: the generator's Adam uses a learning rate of 1e-3 instead of 2e-4,
# `removal.optimizers()`, because its L1-dominated loss learns much faster that way within a
# few thousand steps; `removal.GENERATOR_LR`'s note gives the measurement.)

# %%
Code(inspect.getsource(steps.make_step), language="python")

# %% [markdown]
# ## The competition: classical filters, tuned
#
# Before training anything, what do classical smoothing filters reach? Each has a knob; we
# sweep it on the **validation** split and keep the best setting by PSNR. The plot shows the
# sweep of total-variation denoising's weight: small weights keep the texture, large ones
# flatten the structure too, and the best PSNR lies in between.

# %%
sweeps = {name: baselines.sweep(name, val_t, val_s) for name in baselines.FILTERS}
tv_rows = sweeps["tv"]
weights = [row["params"]["weight"] for row in tv_rows]
fig, ax = plt.subplots(figsize=(5, 2.8))
ax.semilogx(weights, [row["psnr"] for row in tv_rows], "o-")
ax.set_xlabel("TV weight")
ax.set_ylabel("validation PSNR (dB)")
fig.tight_layout()

# %%
tuned = baselines.best(sweeps)
for name, best in tuned.items():
    print(f"{name:9s} best {best['params']}: PSNR {best['psnr']:.2f} dB, SSIM "
          f"{best['ssim']:.3f}")
print(f"{'input':9s} unfiltered: PSNR {metrics.image_scores(val_t, val_s)['psnr']:.2f} dB")


# %% [markdown]
# The printout says which filter wins on validation and by how much it improves on the
# unfiltered input; those tuned settings are what the network will be compared with on the
# test split.
#
# ## Two design choices, measured
#
# Short runs (a fortieth of the full training each, same data, same seed), scored on the
# validation split: residual vs plain output, and with and without the global context (L1
# alone against L1 + adversarial needs full-length runs: a section below reads it off three
# seeds of each). Besides PSNR
# and SSIM we measure detail: `edges` is the mean gradient magnitude of the predictions over
# that of the true structures (1 = as much detail as the truth; below 1 = blurrier; above 1 =
# texture left over, which has gradients too). The
# function below is the whole recipe: build, make the step, `fit`.

# %%
def short_run(residual: bool, context: bool, n_steps: int):
    gdt.set_seed(SEED)
    width = profile.remover_width
    g = networks.build_unet_generator(width, profile.depth, residual=residual,
                                      global_context=context)
    d = networks.build_patchgan_discriminator(width, networks.patchgan_layers(profile.depth))
    g_opt, d_opt = removal.optimizers(n_steps)
    step = steps.make_remover_step(g, d, g_opt, d_opt)
    training.fit(step, removal.training_data(profile, SEED), n_steps, progress=False)
    prediction = removal.predict(g, val_t)
    return {**metrics.image_scores(prediction, val_s),
            "edges": edge_ratio(prediction, val_s)}, prediction


def edge_ratio(prediction, truth) -> float:
    """Mean gradient magnitude of the prediction over that of the truth (1 = as sharp)."""
    def energy(x):
        dy, dx = tf.image.image_gradients(tf.constant(x))
        return float(tf.reduce_mean(tf.abs(dy) + tf.abs(dx)))
    return energy(prediction) / energy(truth)


short_steps = max(2, profile.remover_steps // 40)  # 200 under cpu
variants = {"residual + context, L1 + adv": (True, True),
            "plain (tanh) + context, L1 + adv": (False, True),
            "residual, no context, L1 + adv": (True, False)}
results, predictions = {}, {}
if PRETRAINED:  # each short run trains a network: a lesson that loads its model skips them
    print("PRETRAINED = True: the short runs train networks, so they are skipped here; "
          "set PRETRAINED = False to run them")
for label, options in ({} if PRETRAINED else variants).items():
    results[label], predictions[label] = short_run(*options, short_steps)
    print(f"{label:33s} {short_steps} steps: validation PSNR {results[label]['psnr']:.2f} dB, "
          f"SSIM {results[label]['ssim']:.3f}, edges {results[label]['edges']:.2f}")


# %% [markdown]
# Each choice is read on all three measures, not on PSNR alone: which variant each one
# favours (edges: the ratio closer to 1).

# %%
def which_way(a: str, b: str, name_a: str, name_b: str) -> None:
    """Print which of two short runs each measure favours, with the numbers."""
    ra, rb = results[a], results[b]
    ways = {"PSNR": ra["psnr"] > rb["psnr"], "SSIM": ra["ssim"] > rb["ssim"],
            "edges": abs(ra["edges"] - 1) < abs(rb["edges"] - 1)}
    for measure, key in (("PSNR", "psnr"), ("SSIM", "ssim"), ("edges", "edges")):
        print(f"  {measure:5s} {name_a} {ra[key]:.3f}, {name_b} {rb[key]:.3f} -> "
              f"{name_a if ways[measure] else name_b}")
    votes = sum(ways.values())
    print(f"  {name_a if votes >= 2 else name_b} on {max(votes, 3 - votes)} of 3 measures "
          f"after {short_steps} steps")


if results:  # empty when PRETRAINED skipped the short runs
    print("residual against plain:")
    which_way("residual + context, L1 + adv", "plain (tanh) + context, L1 + adv",
              "residual", "plain")
    print("with global context against without:")
    which_way("residual + context, L1 + adv", "residual, no context, L1 + adv",
              "context", "no context")

# %%
if results:
    plots.show_images(np.concatenate([val_t[:4], *[predictions[v][:4] for v in variants],
                                      val_s[:4]]), ncols=4, value_range=(0, 1), size=1.3,
                      titles=["textured"] * 4 + ["residual"] * 4 + ["plain"] * 4
                      + ["no context"] * 4 + ["truth"] * 4)

# %% [markdown]
# The cells above measured the variants on the same validation images, and the printout says
# which way each measure pointed. The course's remover uses the residual output
# (`networks.build_remover`'s default) for a reason these short runs can show but not
# settle: a residual network starts at "return the input", already a fair guess, and only
# learns what to take away, while a plain network starts from an arbitrary image. After very
# few steps (the `smoke` profile) that head start decides; whether it lasts is what the
# printout at your profile says. Where the measures disagree, read the images: an `edges`
# ratio above 1 is texture passed through, below 1 is blur. The global context costs few
# parameters, and the course's remover keeps it; its printout says what it gave here.
#
# Of the two terms, L1 is the one PSNR rewards (PSNR measures the squared error, and L1 is
# its robust cousin; lesson 07 measures fitting squares instead); the adversarial term is
# there for what PSNR does not see. Whether it does anything is the lesson's central
# question, and one short run cannot answer it: a section below reads it off full-length runs
# over three seeds.
#
# ## Training the remover
#
# The full run is one call of the package, `removal.train_remover`: the very function that
# `python -m gandetexture train-remover` runs without Jupyter. It seeds with `SEED`, builds
# `networks.build_remover(profile)` afresh, makes the step above and trains it with
# `training.fit` for `profile.remover_steps` steps into a run folder: checkpoints every
# `profile.preview_every` steps, TensorBoard logs with validation scores and images
# (`tensorboard --logdir` the folder printed below), `history.json`, and at the end the
# generator (`model.keras`) and its scores (`metrics.json`). With `resume=True`, rerunning the
# cell continues an interrupted run from its last checkpoint, and a finished run is loaded with
# nothing left to train; that includes a run of the command line with the same profile and seed:
#
#     python -m gandetexture train-remover --profile cpu --out outputs/05_texture_removal/cpu/remover-run
#
# `preview` is a side job of the loop (a `training.Preview` callback, lesson 04): every
# `preview_every` steps `train_remover` hands it the generator being trained, and it shows four
# validation images: input, prediction, ground truth.

# %%
run_dir = out_dir / "remover-run"
every = max(profile.preview_every, profile.remover_steps // 4)  # four previews at most
peek_t, peek_s = val_t[:4], val_s[:4]


def preview(generator, index: int) -> None:
    plots.show_images(np.concatenate([peek_t, removal.predict(generator, peek_t), peek_s]),
                      ncols=4, value_range=(0, 1), size=1.3,
                      suptitle=f"step {index + 1}: input / prediction / ground truth")
    plt.show()


# %% [markdown]
# With `PRETRAINED = True` the next cell trains nothing: it loads the remover that ships with
# the package (`gandetexture.pretrained`, made by the command line under `cpu`) and scores it
# here exactly as `train_remover` scores a model it has trained.

# %%
if PRETRAINED:
    generator, history = pretrained.remover(), pretrained.history("remover")
    shipped = pretrained.metrics("remover")
    scores = {**shipped, **removal.evaluate(generator, data, tuned),
              "benchmark": removal.benchmark_scores(generator, profile, SEED)}
    print("PRETRAINED = True: nothing trained; loaded the shipped remover, made by\n   ",
          shipped["command"])
else:
    print("run folder:", run_dir)
    run = removal.train_remover(profile, run_dir, resume=True, seed=SEED,
                                preview=preview, preview_every=every, tuned=tuned)
    generator, history, scores = run.generator, run.history, run.metrics
    print("trained to step", scores["steps_done"], "of", scores["steps"], "; model saved in",
          run_dir / "model.keras")

# %%
if PRETRAINED:  # the shipped model's scores now, against those its metrics.json recorded
    for split in ("test", "real", "benchmark"):
        now, then = scores[split]["model"], shipped[split]["model"]
        same = all(abs(now[k] - then[k]) < 5e-4 for k in ("psnr", "ssim"))
        print(f"{split:9s} PSNR {now['psnr']:.3f} dB, SSIM {now['ssim']:.4f}; metrics.json: "
              f"{then['psnr']:.3f} dB, {then['ssim']:.4f} -> "
              + ("the same" if same else f"different (this run's profile is {profile.name}, "
                 f"the shipped scores are {shipped['profile']}'s)"))

# %%
plots.plot_history(history, keys=["d_loss", "g_adv"], smooth=max(1, len(history["step"]) // 50),
                   hlines={"log 4 (D at chance)": float(np.log(4)),
                           "log 2 (G at chance)": float(np.log(2))})
plots.plot_history(history, keys=["g_l1"], smooth=max(1, len(history["step"]) // 50));


# %% [markdown]
# The discriminator's loss hovers near `log 4` and the generator's adversarial loss near
# `log 2` when neither is winning (lesson 04); the L1 curve is the one that should go down.
#
# ## The test split: network against filters
#
# `train_remover` has already scored the model on the test split, and on the real-texture
# split further down, against the filters we tuned above (`tuned=tuned`): `run.metrics`,
# which the run folder also keeps as `metrics.json`. Each table maps `"model"`, every
# filter and `"input"` (the textured image itself, unfiltered) to PSNR and SSIM, and names the
# split's `"best_filter"`.

# %%
def score_table(table: dict) -> str:
    """Print every method's scores and the network's margin over the best filter; return it."""
    for name in ["model", *tuned, "input"]:
        print(f"{name:10s} PSNR {table[name]['psnr']:6.2f} dB   SSIM {table[name]['ssim']:.3f}")
    best = table["best_filter"]
    print(f"model - best filter ({best}): "
          f"{table['model']['psnr'] - table[best]['psnr']:+.2f} dB PSNR, "
          f"{table['model']['ssim'] - table[best]['ssim']:+.3f} SSIM")
    return best


best = score_table(scores["test"])

# %% [markdown]
# That table is the lesson's main measurement; its last line is the margin over the best
# tuned filter (positive: the network wins). Under `smoke` the network has trained for a few
# steps only and is still close to its input. What it looks like, on the first test images:

# %%
test_t, test_s = data["test"]
n_show = 6
pred = removal.predict(generator, test_t[:n_show])
best_params = tuned[best]["params"]
filtered = baselines.apply(best, test_t[:n_show], **best_params)
plots.show_images(np.concatenate([test_t[:n_show], filtered, pred, test_s[:n_show]]),
                  ncols=n_show, value_range=(0, 1), size=1.4,
                  titles=(["textured"] * n_show + [best] * n_show + ["network"] * n_show
                          + ["truth"] * n_show));

# %% [markdown]
# ## Real textures it never saw
#
# Structures textured with scikit-image's photographs of brick, grass and gravel: no training
# pair contained them. Same scoring, same tuned filters.

# %%
best_real = score_table(scores["real"])

# %%
real_t, real_s = data["real"]
plots.show_images(np.concatenate([real_t[:n_show], removal.predict(generator, real_t[:n_show]),
                                  real_s[:n_show]]), ncols=n_show, value_range=(0, 1),
                  size=1.4, titles=["brick", "grass", "gravel"] * 2 + ["network"] * n_show
                  + ["truth"] * n_show);

# %% [markdown]
# ## Does the adversarial term earn its place?
#
# The discriminator is what makes this a GAN. Does the remover need it? L1 alone is close to
# what PSNR rewards, so PSNR cannot show what the adversarial term adds; two more measures
# can (`metrics.detail_scores`): **edge sharpness**, the output's gradients over the truth's
# on the truth's edges (below 1: blurred), and **texture left**, the output's gradients over
# the input's where the truth is flat (0: all texture removed). `benchmarks/adversarial_worth.py`
# trains this lesson's remover for all of `remover_steps`, with its discriminator and without
# it, with three seeds each, and scores every model on the three test sets. Six full trainings
# do not fit in a lesson, so it reads the results the script wrote (the command is printed),
# and lets the numbers speak: a measure favours one side only when the two means differ by more
# than the two seeds' spreads together (`metrics.seed_comparison`).

# %%
worth_file = Path("..") / "benchmarks" / "adversarial_worth.json"
recorded = json.loads(worth_file.read_text()) if worth_file.exists() else {}
worth_profile = profile.name if profile.name in recorded else "cpu"
runs = recorded.get(worth_profile, {}).get("runs", [])
print(f"{len(runs)} runs under {worth_profile} ({recorded.get(worth_profile, {}).get('steps')} "
      f"steps each), from `python benchmarks/adversarial_worth.py --profile {worth_profile} "
      f"--seeds 0 1 2 --write`")
BETTER = {"psnr": "higher", "ssim": "higher", "edge_sharpness": "one", "texture_left": "lower"}
worth_verdicts = {}
for split in ("test", "real", "photographs") if runs else ():
    print(f"\n{split}:")
    for measure, better in BETTER.items():
        values = {v: [r["scores"][split][measure] for r in runs if r["variant"] == v]
                  for v in ("L1 + adversarial", "L1 only")}
        c = metrics.seed_comparison(values["L1 + adversarial"], values["L1 only"], better)
        verdict = {"a": "adversarial", "b": "L1 only", None: "neither (within the spread)"}
        worth_verdicts[split, measure] = c["winner"]
        print(f"  {measure:15s} L1 + adv {c['mean_a']:7.3f} ± {c['sd_a']:.3f}   L1 only "
              f"{c['mean_b']:7.3f} ± {c['sd_b']:.3f}   -> {verdict[c['winner']]} "
              f"({len(values['L1 only'])} seeds)")

# %%
if worth_verdicts:
    cells = {w: [f"{m} ({s})" for (s, m), v in worth_verdicts.items() if v == w]
             for w in ("a", "b", None)}
    print(f"of {len(worth_verdicts)} split × measure cells, beyond the seeds' spread:")
    print("  the adversarial term is better in", len(cells["a"]), ":", ", ".join(cells["a"]))
    print("  L1 alone is better in", len(cells["b"]), ":", ", ".join(cells["b"]))
    print("  neither in", len(cells[None]))
    if len(cells["a"]) > len(cells["b"]):
        print("-> the adversarial term earns a place, on the measures listed first only")
    elif len(cells["b"]) > len(cells["a"]):
        print("-> L1 alone does as well or better: the adversarial term buys nothing measured")
    else:
        print("-> no clear winner: the adversarial term buys nothing these measures see")

# %% [markdown]
# Read the verdict above as it is printed: it is this course's measurement, at this profile's
# length, on these images. pix2pix's argument for the adversarial term is sharpness where L1
# hedges; whether that shows up here is what the edge-sharpness rows say, and how large it
# is, the difference of their means against the spreads beside them. Note too what neither
# variant does: an edge sharpness well below 1 means both still blur edges, and a texture
# left above 0 means both leave texture on the flat regions. The course keeps L1 +
# adversarial because it is the conditional GAN this half of the course teaches; where the
# printout shows it buys little or nothing, that is the result.
#
# ## Your own image, any size
#
# `gdt.remove_texture(image, model)` works on any height and width: small images are padded
# by mirroring to a multiple of the U-Net's stride, large ones are cut into overlapping tiles
# whose predictions are blended with linear weights, so there are no seams. Set `IMAGE_FILE`
# in the parameters cell to a photo of yours; without one, this cell writes a demo image
# (a real-texture pair, 3 × 5 times the training size) into the lesson's output folder and
# loads that.

# %%
truth = None  # the demo image has one; your own photograph has none
if IMAGE_FILE is None:
    from gandetexture import datasets, io

    demo_t, demo_s = datasets.real_texture_pairs(1, profile.image_size * 4, SEED + 1,
                                                 names=("brick",))
    side = profile.image_size
    demo = np.concatenate([demo_t[0], demo_t[0][:, :side]], axis=1)[: side * 3]
    truth = np.concatenate([demo_s[0], demo_s[0][:, :side]], axis=1)[: side * 3]
    image_path = io.save_png(demo, out_dir / "demo_input.png")
else:
    image_path = IMAGE_FILE
image = gdt.load_image(image_path, max_side=1024)
cleaned = gdt.remove_texture(image, generator, tile=4 * profile.image_size)
print(image_path, image.shape, "->", cleaned.shape)
plots.show_images(np.stack([image, cleaned]), titles=["yours", "network output"], ncols=2,
                  value_range=(0, 1), size=4);

# %% [markdown]
# Look before you read: is the texture gone? Where the truth is known (the demo image), the
# same two measures as above say how much was taken away, and the printout names what is
# left.

# %%
if truth is not None:
    demo_scores = metrics.detail_scores(image[None], cleaned[None], truth[None])
    left = demo_scores["texture_left"]
    print(f"PSNR {float(metrics.psnr(cleaned[None], truth[None])[0]):.2f} dB (input "
          f"{float(metrics.psnr(image[None], truth[None])[0]):.2f} dB); texture left "
          f"{left:.2f} of the input's; edge sharpness {demo_scores['edge_sharpness']:.2f}")
    print("-> " + ("most of the texture is still there" if left > 0.5 else
                   "part of the texture is still there" if left > 0.2 else
                   "little of the texture is left") + " on the flat regions")
else:
    print("no truth for your own image: judge it by eye")

# %% [markdown]
# A file that is not an image gives one clear error naming it (not a TensorFlow traceback):

# %%
broken = out_dir / "not_an_image.png"
broken.write_bytes(b"this is text")
try:
    gdt.load_image(broken)
except ValueError as error:
    print(type(error).__name__, ":", error)

# %% [markdown]
# ## Where it fails
#
# The test images with the lowest PSNR, not hidden: which textures and structures are hard?

# %%
from gandetexture import metrics as m  # noqa: F811

test_pred = removal.predict(generator, test_t)
per_image = m.psnr(test_pred, test_s)
worst = np.argsort(per_image)[:4]
print("worst test PSNRs (dB):", np.round(per_image[worst], 1), " median:",
      round(float(np.median(per_image)), 1))
each = metrics.detail_scores(test_t, test_pred, test_s, per_image=True)
typical = {k: float(np.nanmedian(v)) for k, v in each.items()}
for i in worst:
    kinds = [f"texture left ({each['texture_left'][i]:.2f}, median "
             f"{typical['texture_left']:.2f})"] * bool(each["texture_left"][i]
                                                       > 1.5 * typical["texture_left"])
    kinds += [f"blurred edges ({each['edge_sharpness'][i]:.2f}, median "
              f"{typical['edge_sharpness']:.2f})"] * bool(each["edge_sharpness"][i]
                                                          < 0.8 * typical["edge_sharpness"])
    print(f"image {i}: {per_image[i]:.1f} dB: " + ("; ".join(kinds) or
                                                  "neither: the error is in colour or level"))
plots.show_images(np.concatenate([test_t[worst], test_pred[worst], test_s[worst]]), ncols=4,
                  value_range=(0, 1), size=1.5,
                  titles=["textured"] * 4 + ["network"] * 4 + ["truth"] * 4);

# %% [markdown]
# The printout names, for each of the worst images, which of the two measures is far off its
# median: texture left over (a texture with features as large as the shapes is taken for
# structure), blurred edges (thin shapes smoothed away), or neither, when the error is in
# the colour or brightness of whole regions (a strong `mix` blend pulls a region towards grey
# and the network has to guess by how much). Compare each line with its column above.
#
# ## Summary
#
# - A conditional GAN takes an image in: U-Net generator (skip connections keep the edges),
#   PatchGAN discriminator judging (input, output) pairs patch by patch.
# - Losses: adversarial + 100 × L1; the residual output starts as the identity; a global
#   context vector lets the network judge changes that span the whole image.
# - Honest baselines: filters tuned on validation, everything scored on a test split with
#   `tf.image.psnr` / `tf.image.ssim`; the real photographs test generalisation.
# - Design choices are read on several measures (PSNR, SSIM, edge sharpness, texture left),
#   and the adversarial term's worth over three seeds at full length: the printed verdict,
#   whichever way it falls, is the lesson's answer.
# - `removal.train_remover` trains, saves and scores the remover in one call, resuming or
#   loading a run folder with `resume=True`; `gdt.remove_texture` runs on any size;
#   `python -m gandetexture train-remover` / `remove` do the same outside Jupyter.
#
# ## Exercises
#
# 1. Score the best filter and the network on the validation split's first 8 images only,
#    image by image: on how many does the network win?
# 2. Score the network on the real-texture split separately for brick, grass and gravel
#    (pair `i` uses texture `i % 3`): which real texture is hardest?
# 3. Apply the remover twice to a test image (remove texture from the cleaned image): does the
#    PSNR go up or down? Why?

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
first_t, first_s = val_t[:8], val_s[:8]
net = m.psnr(removal.predict(generator, first_t), first_s)
flt = m.psnr(baselines.apply(best, first_t, **tuned[best]["params"]), first_s)
print("network wins on", int(np.sum(net > flt)), "of 8 images")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
real_pred = removal.predict(generator, real_t)
for k, name in enumerate(["brick", "grass", "gravel"]):
    s = metrics.image_scores(real_pred[k::3], real_s[k::3])
    print(f"{name:7s} PSNR {s['psnr']:.2f} dB  SSIM {s['ssim']:.3f}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
once = removal.predict(generator, test_t[:16])
twice = removal.predict(generator, once)
print("once:", round(float(m.psnr(once, test_s[:16]).mean()), 2), "dB; twice:",
      round(float(m.psnr(twice, test_s[:16]).mean()), 2), "dB")
# The network was trained on textured inputs; a cleaned image is out of its training
# distribution, so a second pass mostly blurs what is left.
