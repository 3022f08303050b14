# %% [markdown]
# # 04 · The training loop
#
# **In this lesson you will**
# - write one GAN training step by hand, eagerly, with its two `tf.GradientTape`s;
# - turn it into a `tf.function` and measure what that buys;
# - meet the pitfalls learners hit, each demonstrated: retracing when Python numbers are passed
#   in (we count the traces), BatchNorm's `training` flag at inference, what the two losses
#   should look like (around `log 4` and `log 2`), and a NaN that must not reach a checkpoint;
# - read the course's one loop, `training.fit`, whole, and give it its side jobs as
#   *callbacks*: a progress bar with live losses, checkpoints that resume exactly,
#   TensorBoard logs, previews and a time budget;
# - interrupt a run, resume it, and check that the losses match an uninterrupted run;
# - see the few changes that train the same step on several GPUs.
#
# The networks are lesson 05's texture remover: a U-Net generator that maps a textured image
# to its structure and a PatchGAN discriminator that judges (textured, structure) pairs. This
# lesson is about the loop around them; lesson 05 is about what they learn.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0
PRETRAINED = False  # True: the course's shipped remover shows a whole run; runs here are tiny

# %%
import gandetexture as gdt

profile = gdt.setup(PROFILE, SEED, lesson="04_training_loop")

# %%
import ast
import inspect
import json
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Code

from gandetexture import losses, networks, plots, pretrained, removal, steps, training

out_dir = gdt.output_dir("04_training_loop", profile)

# %% [markdown]
# ## The pieces
#
# A batch of training pairs (values in [-1, 1]), the two networks and one optimizer per
# network: Adam(2e-4, β1 = 0.5), as in the article.

# %%
# NBVAL_CHECK_OUTPUT
data = removal.training_data(profile, SEED)
textured, structure = next(iter(data))
generator, discriminator = networks.build_remover(profile)
g_opt, d_opt = training.adam(), training.adam()
adversarial = losses.get("nonsaturating")
print("batch:", textured.shape, structure.shape)
print("generator:", networks.count_params(generator), "parameters;",
      "discriminator:", networks.count_params(discriminator), "parameters")


# %% [markdown]
# ## One step by hand
#
# Both networks run inside the tapes; each tape then gives the gradient of *its* network's loss
# with respect to *its* network's weights, and each optimizer applies its own. The generator's
# loss is the adversarial term plus 100 × L1 (pix2pix).

# %%
def train_step(batch, step_index):
    textured, structure = batch
    with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
        prediction = generator(textured, training=True)
        real_logits = discriminator([textured, structure], training=True)
        fake_logits = discriminator([textured, prediction], training=True)
        d_loss = adversarial.discriminator(real_logits, fake_logits)  # real → 1, fake → 0
        g_adv = adversarial.generator(fake_logits)  # fake → "real"
        g_l1 = tf.reduce_mean(tf.abs(prediction - structure))
        g_loss = g_adv + 100.0 * g_l1
    d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
    g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
    d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
    g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
    return {"d_loss": d_loss, "g_adv": g_adv, "g_l1": g_l1}


# %% [markdown]
# Run it once, eagerly (line by line, like NumPy), and look at the losses.

# %%
start = time.perf_counter()
outputs = train_step((textured, structure), tf.constant(0, tf.int64))
eager_s = time.perf_counter() - start
print({k: round(float(v), 4) for k, v in outputs.items()})

# %% [markdown]
# ### What the two losses look like: `log 4` and `log 2`
#
# An untrained discriminator outputs logits near 0, i.e. D = ½ for everything. Its loss,
# −log D(real) − log(1 − D(fake)), is then 2 log 2 = log 4 ≈ 1.386, and the generator's
# non-saturating loss −log D(fake) is log 2 ≈ 0.693. The step above printed:

# %%
print(f"d_loss {float(outputs['d_loss']):.3f} vs log 4 = {np.log(4):.3f};  "
      f"g_adv {float(outputs['g_adv']):.3f} vs log 2 = {np.log(2):.3f}")

# %% [markdown]
# Those are also the values of the game's *equilibrium*, where D cannot tell real from fake.
# During a healthy run the two losses wander around them. A discriminator loss that falls
# towards 0 while the generator's climbs means D is winning; both stuck exactly at log 4 and
# log 2 means D learns nothing. Keep these two levels in mind when reading the curves below.
#
# ## The same step as a `tf.function`
#
# `tf.function` traces the Python function once into a graph, then runs the graph. The
# first call pays for the tracing; later calls skip Python entirely.

# %%
graph_step = tf.function(train_step)
start = time.perf_counter()
graph_step((textured, structure), tf.constant(1, tf.int64))
trace_s = time.perf_counter() - start
times = []
for i in range(2, 5):
    start = time.perf_counter()
    float(graph_step((textured, structure), tf.constant(i, tf.int64))["d_loss"])
    times.append(time.perf_counter() - start)
start = time.perf_counter()
float(train_step((textured, structure), tf.constant(5, tf.int64))["d_loss"])
eager_s = time.perf_counter() - start
graph_s = float(np.median(times))
print(f"eager step {eager_s * 1000:.0f} ms; tf.function: first call (tracing) "
      f"{trace_s * 1000:.0f} ms, then {graph_s * 1000:.0f} ms per step "
      f"({eager_s / graph_s:.1f}× faster than eager)")


# %% [markdown]
# The measurement above is the reason every train step in this course is a `tf.function`
# (the gain is largest for small networks, where Python's overhead dominates).
#
# ### Pitfall: retracing when Python numbers are passed in
#
# A `tf.function` traces again for every *new Python value* of an argument (Python values
# are baked into the graph as constants), but only once per shape and dtype of a *tensor*.
# A cheap function shows it: the Python `print` runs only while tracing, so it counts traces.

# %%
@tf.function
def scaled(x, step_index):
    print("  tracing for step_index =", step_index)
    return x * tf.cast(step_index, tf.float32)


print("Python ints:")
for i in range(3):
    scaled(tf.ones(2), i)
print("int64 tensors:")
for i in range(3):
    scaled(tf.ones(2), tf.constant(i, tf.int64))
print("traces in total:", scaled.experimental_get_tracing_count())

# %% [markdown]
# Three Python ints, three traces; three tensors, one trace. A train step retraced at every
# step would be slower than eager. That is why `training.fit` passes the step index as
# `tf.constant(i, tf.int64)`: the step can use it (noise keyed by `(seed, step)`) without
# retracing.
#
# ### Pitfall: BatchNorm's `training` flag
#
# With `training=True`, BatchNorm normalises with the statistics of the *current batch*, so an
# image's output depends on the other images in its batch. With `training=False` it uses the
# moving averages learned during training: one image, one answer. Same image, two different
# batches:

# %%
image = textured[:1]
batch_a = tf.concat([image, textured[1:4]], axis=0)
batch_b = tf.concat([image, -textured[1:4]], axis=0)
for flag in (True, False):
    a = generator(batch_a, training=flag)[0]
    b = generator(batch_b, training=flag)[0]
    print(f"training={flag!s:5s}: max difference for the same image "
          f"{float(tf.reduce_max(tf.abs(a - b))):.4f}")

# %% [markdown]
# With `training=True` the same image comes out differently depending on its neighbours (and
# a call with `training=True` would also update the moving averages). At inference always pass
# `training=False`, as `removal.predict` and `gdt.remove_texture` do.
#
# ### Pitfall: a NaN must never reach a checkpoint
#
# A learning rate too large, or a log of zero, and a loss becomes infinite or NaN; every
# weight updated with it becomes NaN too. `training.fit` checks that each step's outputs are
# finite *before* any callback sees them, stops with a clear message, and saves nothing of
# the bad state: the last good checkpoint stays the latest one. A toy step whose "loss"
# overflows to infinity after a few steps, checkpointed after every step
# (`training.Checkpoint(..., every=1)`), shows it:

# %%
weight = tf.Variable(1.0)


@tf.function
def exploding_step(batch, step_index):
    weight.assign(weight * 1e6)  # a learning rate far too large
    return {"loss": weight * weight}


nan_dir = out_dir / "nan_demo"
try:
    training.fit(exploding_step, tf.data.Dataset.range(100), 10, progress=False,
                 callbacks=[training.Checkpoint(nan_dir, {"weight": weight}, every=1,
                                                resume=False)])
except training.TrainingDiverged as error:
    print("TrainingDiverged:", error)
latest = tf.train.latest_checkpoint(nan_dir / "checkpoints")
saved = tf.train.load_variable(latest, "weight/.ATTRIBUTES/VARIABLE_VALUE")
print(f"in memory (the diverged step has run): weight = {float(weight.numpy()):.0e}, "
      f"loss = {float(weight * weight)}")
print(f"on disk, latest checkpoint {Path(latest).name}: weight = {float(saved):.0e}, "
      f"loss = {float(saved) ** 2:.0e}: the state after the last good step")
print("diverged state saved:", float(saved) == float(weight.numpy()))


# %% [markdown]
# The step itself has already changed the weights in memory when `fit` sees its infinite
# loss, so the in-memory state is the diverged one; what the guard protects is the disk: the
# latest checkpoint holds the weights of the last step whose outputs were finite, and a
# restart resumes from there.
#
# ## The whole loop: `training.fit`
#
# `fit(step, data, steps, callbacks=[...])` is the loop of every lesson and of the command
# line. Its code is short enough to read whole; the docstring (`help(training.fit)`) is left
# out here:

# %%
def without_docstring(function) -> str:
    """The source of `function` with its docstring's lines removed."""
    source = inspect.getsource(function)
    body = ast.parse(source).body[0].body
    lines = source.splitlines(keepends=True)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        del lines[body[0].lineno - 1:body[0].end_lineno]
    return "".join(lines)


Code(without_docstring(training.fit), language="python")

# %% [markdown]
# Each step it draws a batch, calls the step with `tf.constant(i, tf.int64)`, records the
# outputs in the history and checks that they are finite (the NaN guard is part of the loop,
# so no callback ever sees, or saves, a diverged state). Everything else is a side job, a
# *callback*, as in Keras: an object whose `on_train_begin`, `on_step_end` and `on_train_end`
# the loop calls. The course has five:
#
# - `training.Checkpoint(directory, track, every, resume)`: saves the step counter, what
#   `track` names (networks and optimizers) and the data position, and resumes from them;
# - `training.TensorBoard(logdir, every)`: writes the losses for TensorBoard;
# - `training.Preview(show, every)`: calls `show(index)`, e.g. to draw samples;
# - `training.TimeBudget(seconds)`: stops cleanly when the time is up;
# - `training.ProgressBar`: the live progress bar, added by `fit` unless `progress=False`.
#
# A callback is a small class; the base class and the time budget, whole:

# %%
Code(inspect.getsource(training.Callback) + "\n\n" + inspect.getsource(training.TimeBudget),
     language="python")

# %% [markdown]
# A callback of your own (log a validation score, stop when a loss plateaus) is a subclass
# like this one, passed in `callbacks=[...]`.
#
# The step of lesson 05 is `steps.make_remover_step`: a thin wrapper of `steps.make_step`,
# the course's one adversarial update, which is the hand-written step above plus an L1-only
# variant and an optional XLA compilation. The step it returns carries `step.track`: the
# networks and optimizers it updates, exactly what a checkpoint must hold. Before training we
# save that initial state (weights and both optimizers) so that the runs below all start from
# the same point.
#
# With `PRETRAINED = True` the runs below are as short as this lesson's runs get under any
# profile: long enough to see every callback at work and to compare a resumed run with an
# uninterrupted one, too short to learn anything. What a whole run looks like (its losses, its
# TensorBoard curves, the trained remover's output) then comes from the remover that ships
# with the package.

# %%
gdt.set_seed(SEED)
generator, discriminator = networks.build_remover(profile)
g_opt, d_opt = training.adam(), training.adam()
step = steps.make_remover_step(generator, discriminator, g_opt, d_opt)
print("step.track:", list(step.track))
initial = tf.train.Checkpoint(**step.track).write(str(out_dir / "initial" / "state"))
total = 4 if PRETRAINED else max(4, profile.remover_steps // 10)
print("initial state saved; each run below has", total, "steps")
if PRETRAINED:
    print(f"PRETRAINED = True: runs of {total} steps (False: "
          f"{max(4, profile.remover_steps // 10)}); a whole run's curves and outputs are the "
          "shipped remover's")

# %% [markdown]
# A run with four side jobs: checkpoints, TensorBoard logs, previews of the generator's
# output on a fixed validation pair, and the live progress bar. (In JupyterLab,
# `%load_ext tensorboard` then `%tensorboard --logdir` the folder printed here shows the
# curves while it trains, where the `tensorboard` package is installed.)

# %%
val_t, val_s = removal.evaluation_data(profile, SEED)["val"]


def preview(index: int) -> None:
    prediction = removal.predict(generator, val_t[:3])
    plots.show_images(np.concatenate([val_t[:3], prediction, val_s[:3]]), ncols=3,
                      value_range=(0, 1), size=1.2,
                      suptitle=f"step {index + 1}, rows: input / output / truth")
    plt.show()


def restart(directory: Path) -> None:
    """Back to the saved initial state, in a fresh run folder (kept, not deleted)."""
    tf.train.Checkpoint(**step.track).read(initial).assert_consumed()
    print("run folder:", directory)


whole_dir = out_dir / "uninterrupted"
restart(whole_dir)
whole = training.fit(step, removal.training_data(profile, SEED), total, desc="uninterrupted",
                     callbacks=[training.Checkpoint(whole_dir, step.track, resume=False),
                                training.TensorBoard(whole_dir / "logs", max(1, total // 4)),
                                training.Preview(preview, max(1, total // 2))])
print("wrote", sorted(p.name for p in whole_dir.iterdir()))

# %%
if PRETRAINED:  # a few steps show no trend: the shipped remover's whole run instead
    shipped, run = pretrained.metrics("remover"), pretrained.history("remover")
    print("PRETRAINED = True: the losses of the shipped remover's run of",
          shipped["steps_done"], "steps, made by\n   ", shipped["command"])
    print("its last losses:", {k: round(run[k][-1], 4) for k in ("d_loss", "g_adv", "g_l1")},
          "; metrics.json:", {k: round(shipped["final_losses"][k], 4)
                             for k in ("d_loss", "g_adv", "g_l1")})
    plots.plot_history(run, keys=["d_loss", "g_adv"], smooth=len(run["step"]) // 50,
                       hlines={"log 4": float(np.log(4)), "log 2": float(np.log(2))})
else:
    plots.plot_history(whole, keys=["d_loss", "g_adv"],
                       hlines={"log 4": float(np.log(4)), "log 2": float(np.log(2))})

# %%
if PRETRAINED:  # the same run for TensorBoard, and what its remover does to the preview pairs
    logdir = out_dir / "shipped_run" / "logs"
    if not logdir.exists():  # once: a rerun writing them again would draw every curve twice
        with tf.summary.create_file_writer(str(logdir)).as_default():
            for i, index in enumerate(run["step"]):
                for key in ("d_loss", "g_adv", "g_l1"):
                    tf.summary.scalar(key, run[key][i], step=index + 1)
    print("its losses, for TensorBoard:", logdir)
    plots.show_images(np.concatenate([val_t[:3], removal.predict(pretrained.remover(),
                                                                 val_t[:3]), val_s[:3]]),
                      ncols=3, value_range=(0, 1), size=1.2,
                      suptitle="the shipped remover, rows: input / output / truth")
    plt.show()

# %% [markdown]
# ## Interrupt, resume, compare
#
# Now the same run in two halves. The first call stops after `k` steps (as if the kernel died
# there; its last checkpoint is at step `k`). Then we *wreck* the in-memory state, back to the
# initial weights and fresh optimizers, and call `fit` again with a `Checkpoint` on the same
# folder (`resume=True`, the default) and the full step count: it restores the step counter,
# both networks, both optimizers' moments and the data iterator's position, and runs the
# remaining steps.

# %%
k = total // 2
split_dir = out_dir / "interrupted"
restart(split_dir)
training.fit(step, removal.training_data(profile, SEED), k, progress=False,
             callbacks=[training.Checkpoint(split_dir, step.track, resume=False)])
tf.train.Checkpoint(**step.track).read(initial).assert_consumed()  # the kernel "restarts"
resumed = training.fit(step, removal.training_data(profile, SEED), total, progress=False,
                       callbacks=[training.Checkpoint(split_dir, step.track)])
print("steps in the resumed history:", resumed["step"][0], "...", resumed["step"][-1])

# %%
for key in ("d_loss", "g_adv", "g_l1"):
    diff = np.max(np.abs(np.array(resumed[key]) - np.array(whole[key])))
    print(f"{key:7s} largest difference, resumed vs uninterrupted: {diff:.2e}")
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(whole["step"], whole["g_l1"], lw=3, alpha=0.4, label="uninterrupted")
ax.plot(resumed["step"], resumed["g_l1"], "--", label=f"interrupted at {k}, resumed")
ax.axvline(k - 0.5, c="gray", lw=1)
ax.set_xlabel("step")
ax.set_ylabel("g_l1")
ax.legend();

# %% [markdown]
# The differences printed above are zero (or at the level of float round-off): the resumed run
# is the uninterrupted run. That needs all four things in the checkpoint: weights, *both*
# optimizers (Adam's moment estimates and step counts), the step counter, and the data
# position (the `tf.data` iterator is saved with the checkpoint; our pipelines shuffle
# indices, not images, so that state is tiny). Leave out the optimizers and the resumed run
# drifts away from the uninterrupted one; exercise 2 measures by how much.
#
# ## How fast, and where the time goes
#
# `benchmarks/train_step.py` measures the train step of each profile's networks with and
# without XLA (`jit_compile=True`), counts the floating-point operations of one step, and the
# share of time the step waits for the input pipeline. Its last results, as committed:

# %%
results = Path("..") / "benchmarks" / "train_step.json"
if results.exists():
    bench = json.loads(results.read_text())
    print(bench["machine"])
    for row in bench["rows"]:
        print(f"{row['profile']:6s} XLA {'on ' if row['xla'] else 'off'}  "
              f"{row['images_per_s']:7.1f} images/s  {row['gflop_per_step']:6.2f} GFLOP/step  "
              f"{row['gflop_per_s']:6.1f} GFLOP/s  input wait {row['input_wait_share']:.0%}")
    speed = {(r["profile"], r["xla"]): r["images_per_s"] for r in bench["rows"]}
    for name in dict.fromkeys(r["profile"] for r in bench["rows"]):
        print(f"XLA speed-up, {name} profile: {speed[name, True] / speed[name, False]:.2f}×")
else:
    print("run `python benchmarks/train_step.py --write` to measure this machine")


# %% [markdown]
# Read the table with its first line in mind (the machine, and how busy it was). XLA's effect
# depends on the model and the device: the speed-ups printed last decided that the remover
# trains without XLA by default on a CPU (`steps.make_remover_step(..., jit_compile=True)`
# turns it on). Compilation also costs time once, which a short run never earns back. The
# input wait is the share of the loop spent waiting for `tf.data`, which composes the next
# batches in parallel with the step.
#
# ## On several GPUs
#
# `tf.distribute.MirroredStrategy` keeps a copy of every variable on each device and runs the
# step on all of them at once, each on its share of the batch. Five changes, all already in
# the course's step (`steps.make_step(..., strategy=...)`) and trainers
# (`python -m gandetexture train-remover --devices all`):
#
# ```python
# strategy = training.strategy_for("all")  # a MirroredStrategy over every GPU
# with strategy.scope():  # networks, optimizers, averages, checkpoints: mirrored
#     generator, discriminator = networks.build_remover(profile)
#     step = steps.make_remover_step(generator, discriminator, training.adam(),
#                                    training.adam(), strategy=strategy)
#     training.fit(step, removal.training_data(profile), total)  # the same global batches
# ```
#
# 1. **A global batch.** `profile.remover_batch_size` stays the batch of one step; with two
#    GPUs each computes half of it.
# 2. **`strategy.run` inside the `tf.function`.** The step splits the batch
#    (`steps.split_batch`) and calls `strategy.run(update, args=(shares, step_index, 2))`.
# 3. **Losses scaled.** Each replica's loss is the mean over its half; it is divided by the
#    number of replicas inside the tape, and the optimizers *sum* the replicas' gradients, so
#    the update is the one of the mean over the global batch (what
#    `tf.nn.compute_average_loss` does for per-example losses). The printed losses are
#    averaged with `strategy.reduce(MEAN, ...)`.
# 4. **Everything with variables is created in `strategy.scope()`**, so a checkpoint written
#    on two GPUs resumes on one, and the other way round.
# 5. **BatchNorm statistics are per replica**: each GPU normalises with its own half's mean and
#    variance (not synchronised), so the losses differ slightly from one device's
#    (`tests/test_distribute.py` measures about 2e-4 on two logical CPU devices).
#
# ## Summary
#
# - A GAN step: both networks inside two tapes, one gradient and one optimizer per network.
# - `tf.function` for speed; pass changing numbers as tensors or it retraces at every step.
# - `training=False` at inference, or BatchNorm makes an image's output depend on its batch.
# - At the start, and at equilibrium, D's loss is near `log 4` and G's near `log 2`.
# - `training.fit` is the one loop: it runs the step, keeps the history and guards against
#   NaN; its side jobs are callbacks: `Checkpoint` (weights and optimizers from `step.track`,
#   step, data position), `TensorBoard`, `Preview`, `TimeBudget` and the progress bar. A
#   resumed run matches an uninterrupted one.
#
# ## Exercises
#
# 1. Make `scaled` trace only once even when called with Python ints (hint:
#    `input_signature`).
# 2. Resume *without* the optimizers: interrupt at `k` as above, but track only the two
#    networks. How large is the difference with the uninterrupted run now?
# 3. Give `training.fit` a `training.TimeBudget(0)` callback (a budget of no time) next to its
#    `Checkpoint`: how many steps run, and what is saved?
# 4. (open) Write a callback that stops a run when the discriminator has won: its loss stays
#    far below `log 4` for a window of steps while the generator's adversarial loss climbs.
#    Which threshold and window would you pick, how would you show it never stops a healthy
#    run, and what should it save when it fires?

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
@tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.int64)])
def scaled_once(x, step_index):
    print("  tracing")
    return x * tf.cast(step_index, tf.float32)


for i in range(3):
    scaled_once(tf.ones(2), i)  # Python ints are converted to the signature's int64
print("traces:", scaled_once.experimental_get_tracing_count())

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
nets = {"generator": generator, "discriminator": discriminator}
no_opt_dir = out_dir / "resume_without_optimizers"
restart(no_opt_dir)
training.fit(step, removal.training_data(profile, SEED), k, progress=False,
             callbacks=[training.Checkpoint(no_opt_dir, nets, resume=False)])
tf.train.Checkpoint(**step.track).read(initial).assert_consumed()
partial = training.fit(step, removal.training_data(profile, SEED), total, progress=False,
                       callbacks=[training.Checkpoint(no_opt_dir, nets)])
print("largest g_l1 difference:",
      f"{np.max(np.abs(np.array(partial['g_l1']) - np.array(whole['g_l1']))):.2e}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
budget_dir = out_dir / "budget"
restart(budget_dir)
short = training.fit(step, removal.training_data(profile, SEED), total, progress=False,
                     callbacks=[training.Checkpoint(budget_dir, step.track, resume=False),
                                training.TimeBudget(0)])
print("steps run:", len(short["step"]), "; latest checkpoint:",
      Path(tf.train.latest_checkpoint(budget_dir / "checkpoints")).name)
