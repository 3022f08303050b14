# %% [markdown]
# # 08 · Re-texturing: from texture removal to texture generation
#
# **In this lesson you will**
# - read the course's blend model backwards: from a textured photograph and the structure
#   that lesson 05's remover gives back, recover the **texture layer** it took away and how
#   strong it was;
# - paint new texture of the photograph's size by image quilting (lesson 06) and put it on
#   the structure: a grid of photographs × brick, grass and gravel;
# - turn the texture's strength up and down with a slider, and re-texture one region only;
# - transfer the texture of one photograph to another: the layer removed from photograph A
#   becomes the exemplar that quilting, and the spatial GAN of lesson 06, learn, painted on
#   photograph B;
# - measure that it worked: the structure is kept (remove the texture again and compare),
#   the new texture is there and the old one gone (lesson 06's statistics, against a floor),
#   and look at where it fails.
#
# The course's two halves have so far lived apart: lesson 05 took texture off, lesson 06
# made texture from nothing but an exemplar. Here they meet. Every number and every verdict
# below is printed by a cell; rerun under another profile and they change with it.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0
PRETRAINED = False  # True: use the course's shipped remover, not lesson 05's run folder
TEXTURES = ["brick", "grass", "gravel"]  # exemplars to paint: bundled names or image paths
STRENGTH = 0.1  # strength of the new texture in the grid and the measurements
IMAGE_FILE = None  # the path of your own photograph, for exercise 1

# %%
import gandetexture as gdt

profile = gdt.setup(PROFILE, SEED, lesson="08_retexturing")

# %%
import hashlib
import inspect

import numpy as np
from IPython.display import Code

from gandetexture import (
    benchmark,
    exemplars,
    metrics,
    plots,
    removal,
    retexture,
    texture,
    widgets,
    yardstick,
)

OUT = gdt.output_dir("08_retexturing", profile)

# %% [markdown]
# How many images each part of the lesson uses; `smoke` keeps every set small, and its
# numbers only prove that the code runs.

# %%
# NBVAL_CHECK_OUTPUT
COUNTS = profile.pick({  # smoke's counts in a capped run (GANDETEXTURE_MAX_STEPS)
    "smoke": {"test": 6, "val": 3, "grid": 2, "transfer": 3, "c2st_steps": 1},
    "cpu": {"test": 48, "val": 16, "grid": 4, "transfer": 20, "c2st_steps": 100},
    "gpu": {"test": 48, "val": 16, "grid": 4, "transfer": 20, "c2st_steps": 300}})
COUNTS["c2st_steps"] = profile.steps(COUNTS["c2st_steps"])  # capped by GANDETEXTURE_MAX_STEPS
SIZE = 128  # side of the benchmark photographs (256 for the transfer)
for part, count in COUNTS.items():
    print(f"{part:10s} {count}")

# %% [markdown]
# ## The remover
#
# Lesson 05's remover. If lesson 05 has run under this profile, its run folder holds the
# finished model and we load it; otherwise this cell trains it into that same folder with the
# same call as lesson 05 (under `cpu` that takes several minutes), exactly as lesson 07 does.
# `python -m gandetexture train-remover --profile cpu --out <that folder>` trains the same
# model from the command line.

# %%
generator = removal.lesson_remover(profile, SEED, pretrained=PRETRAINED)  # shipped, 05's or new
print(generator.count_params(), "parameters")

# %% [markdown]
# ## The photographs
#
# Lesson 07's benchmark (`benchmark.photo_pairs`): scikit-image's photographs flattened into
# regions (the true structure), textured with real or procedural textures at scales of 2 to
# 24 pixels, with one of the course's three blends. None of them was ever training data, and
# knowing the true structure and texture lets us check every step below. The **validation**
# photographs are other photographs with other textures, for choosing settings; the **test**
# photographs judge them.

# %%
bench_t, bench_s, infos = benchmark.photo_pairs("test", COUNTS["test"], SIZE, SEED)
val_t, val_s, _ = benchmark.photo_pairs("val", COUNTS["val"], SIZE, SEED)
print("test photographs", bench_t.shape, "; validation photographs", val_t.shape)

# %% [markdown]
# ## A structure the remover keeps
#
# Re-texturing puts a new texture on the remover's structure, and this lesson's check takes
# it off again and compares with that structure. That can only work if the remover, run on
# the structure itself, gives it back unchanged: its **stability**, the PSNR of the remover's
# output on a structure against that structure (30 dB or more counts as stable here). Where
# one pass left part of a strong texture, a second pass takes more of it off, so the
# structure changes. `retexture.structure_of(image, remover, passes)` runs the remover
# `passes` times, each pass on the last one's output. On the validation photographs, for one
# to three passes: the structure against the truth, and its stability:

# %%
STABLE_DB = 30.0


def remove_again(images: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """PSNR (dB) per image of the remover's output on ``images`` against ``reference``
    (``remove_again(s, s)``: the stability of structures ``s``)."""
    return metrics.psnr(removal.predict(generator, images), reference)


val_structures, by_passes = {}, {}
for passes in (1, 2, 3):
    structures = val_structures[passes] = retexture.structure_of(val_t, generator, passes)
    by_passes[passes] = remove_again(structures, structures)
    print(f"{passes} pass(es): against the truth "
          f"{float(metrics.psnr(structures, val_s).mean()):.2f} dB; stability lowest "
          f"{by_passes[passes].min():.1f} dB, stable on "
          f"{int((by_passes[passes] >= STABLE_DB).sum())}/{len(val_t)}")
PASSES = next((p for p, st in by_passes.items() if (st >= STABLE_DB).all()),
              max(by_passes, key=lambda p: by_passes[p].min()))  # else the most stable
print(f"chosen: {PASSES} pass(es), the fewest stable on every validation photograph "
      f"(the package's default, retexture.PASSES, is {retexture.PASSES})")

# %% [markdown]
# Each further pass smooths a little more, which the first column shows: stability is bought
# with detail, so the lesson takes the fewest passes that are stable on every validation
# photograph. The structures of the test photographs, made that way, are the **first
# structures** everything below starts from:

# %%
first = retexture.structure_of(bench_t, generator, PASSES)
one_pass = removal.predict(generator, bench_t)  # for comparison (and exercise 4)
print("first structures", first.shape)
for passes, structures in ((1, one_pass), (PASSES, first)):
    print(f"{passes} pass(es): against the truth "
          f"{float(metrics.psnr(structures, bench_s).mean()):.2f} dB")

# %% [markdown]
# ## The blend model read backwards
#
# Every textured image of the course is made by `datasets.compose`. With `t = 2T − 1` the
# centred texture in [-1, 1] and `a` its amplitude, the multiplicative blend is
#
# `image = s · (1 + a·t)`, so `a·t = image / s − 1`.
#
# Knowing the structure `s`, the image tells us the **texture layer** `L = a·t` exactly.
# The remover gives us `s`; `retexture.texture_layer` does the division:

# %%
Code(inspect.getsource(retexture.texture_layer), language="python")

# %% [markdown]
# Two guards, both in the code: where the structure is nearly black the division would
# multiply the remover's small errors many times over (and a multiplicative texture on black
# is invisible anyway), so the layer is 0 there; and the layer is clipped to [-1, 1], the
# range of `a·t`. The additive blend `s + a·t` reads back as `image − s`; the mix blend
# `(1 − a)·s + a·T` cannot be read back, because its layer `a·(T − s)` depends on the
# structure.
#
# First, with the **true** structure: composing the layer back onto it (`apply_layer`, the
# blend model forwards) must give the image again, exactly, where the image was made with the
# multiplicative blend and the structure is not near-black (`retexture.EPS`).

# %%
true_layers = retexture.texture_layer(bench_t, bench_s)
multiplicative = [i for i, info in enumerate(infos) if info["blend"] == "multiplicative"]
back = retexture.apply_layer(bench_s[multiplicative], true_layers[multiplicative])
lit = bench_s[multiplicative] >= retexture.EPS
error = np.abs(back - bench_t[multiplicative])
print(f"{len(multiplicative)} multiplicative photographs: largest difference after the round "
      f"trip {float(error[lit].max()):.1e} where s ≥ {retexture.EPS}; "
      f"{float(error[~lit].max(initial=0)):.1e} on the {float((~lit).mean()):.1%} of values "
      f"below")

# %% [markdown]
# Then with the remover's structure, the one we have in practice: how much of the true layer
# does the estimated one hold? The correlation of the two, pixel by pixel
# (`retexture.layer_correlation`: 1 = the same texture at the same places), per blend:

# %%
layers = retexture.texture_layer(bench_t, first)
agreement = np.array([retexture.layer_correlation(layers[i], true_layers[i])
                      for i in range(len(infos))])
for blend in ("multiplicative", "additive", "mix"):
    picked = [i for i, info in enumerate(infos) if info["blend"] == blend]
    if picked:
        print(f"{blend:15s} {len(picked):2d} photographs: correlation of the estimated layer "
              f"with the true one {agreement[picked].mean():.2f} (lowest "
              f"{agreement[picked].min():.2f})")

# %%
k = int(np.argmax(agreement))
print(f"photograph {k}: {infos[k]['kind']} at {infos[k]['scale']:.1f} px, {infos[k]['blend']} "
      f"blend, on {infos[k]['photo']}; layer correlation {agreement[k]:.2f}")
plots.show_images([bench_t[k], first[k], 0.5 + 0.5 * layers[k], 0.5 + 0.5 * true_layers[k]],
                  titles=["photograph", "first structure", "estimated layer",
                          "true layer"], ncols=4, value_range=(0, 1), size=2.5);

# %% [markdown]
# ## How strong is a texture?
#
# `retexture.strength` is the root mean square of a layer: a multiplicative layer of
# strength 0.1 moves a pixel by about 10 % of its structure's value. On a dark structure a
# texture added, or mixed, looks far stronger through `image / s` than it is, so the strength
# `retexture` matches is weighted by the structure's brightness squared
# (`retexture.strength_weights`), which measures it in pixel units. The benchmark's textures,
# by blend:

# %%
old_strength = np.array([retexture.strength(layers[i], retexture.strength_weights(first[i]))
                         for i in range(len(infos))])
for blend in ("multiplicative", "additive", "mix"):
    picked = [i for i, info in enumerate(infos) if info["blend"] == blend]
    if picked:
        print(f"{blend:15s} strength {old_strength[picked].mean():.3f} on average "
              f"(from {old_strength[picked].min():.3f} to {old_strength[picked].max():.3f})")
print(f"this lesson paints its new textures at strength {STRENGTH} (parameter STRENGTH)")

# %% [markdown]
# ## Re-texturing one photograph
#
# `retexture.retexture(image, remover, new_texture, strength, mask, seed)` does it all: it
# removes the texture, reads the old layer back, paints a new texture of the image's size
# (image quilting of an exemplar, or a trained texture model), centres it and scales it to
# the strength asked for (or to the old layer's), and composes it onto the structure.

# %%
Code(inspect.getsource(retexture.retexture), language="python")

# %% [markdown]
# The exemplars are scikit-image's 512×512 photographs of brick, grass and gravel. At their
# own size, their features measure 9 to 18 pixels (`benchmark.NATIVE_SIZE`); `scale` shrinks
# an exemplar before quilting. Which scale the remover takes off again best is measured, on
# the benchmark's **validation** photographs (other photographs, other textures), like
# lesson 07's filter settings: the mean PSNR of the remover's output on the re-textured image
# against the structure the texture was put on (the first structure).

# %%
val_first = val_structures[PASSES]  # made above, when the passes were chosen
photos = {name: exemplars.load(name) for name in TEXTURES}


scale_psnr = {}
for scale in (0.25, 0.5, 1.0):
    scores = []
    for name in TEXTURES:
        made = np.stack([retexture.retexture(val_t[i], generator, photos[name], STRENGTH,
                                             seed=SEED + i, scale=scale,
                                             structure=val_first[i]).image
                         for i in range(len(val_t))])
        scores.append(remove_again(made, val_first).mean())
    scale_psnr[scale] = float(np.mean(scores))
    print(f"scale {scale:4.2f}: remove-again PSNR {scale_psnr[scale]:.2f} dB on validation")
SCALE = max(scale_psnr, key=scale_psnr.get)
print("chosen scale:", SCALE)

# %% [markdown]
# One photograph, step by step: the photograph, the first structure, the old layer, the new
# layer (brick, quilted), the re-textured photograph.

# %%
one = retexture.retexture(bench_t[k], generator, photos[TEXTURES[0]], STRENGTH, seed=SEED,
                          scale=SCALE, passes=PASSES)
print(f"old strength {one.old_strength:.3f}, new strength {one.strength:.3f}")
plots.show_images([bench_t[k], one.structure, 0.5 + 0.5 * one.old_layer,
                   0.5 + 0.5 * one.new_layer, one.image],
                  titles=["photograph", "structure", "old layer", "new layer",
                          f"with {TEXTURES[0]}"], ncols=5, value_range=(0, 1), size=2.2);

# %% [markdown]
# ## A grid: photographs × textures
#
# Which photographs? The first ones whose old texture is procedural, so that it is none of
# the new ones (a grass photograph re-textured with grass would not show whether the old
# texture left). Their first structures must be stable too: if the remover changes a
# structure, no re-textured image can come back to it either. The passes were chosen for
# that on validation; here is how it holds on the test photographs. A photograph that is not
# stable would be left out of the grid and shown among the failures; every photograph, the
# grid's or not, is measured below.

# %%
stability = remove_again(first, first)
stable = stability >= STABLE_DB
eligible = [i for i in range(len(infos)) if stable[i] and infos[i]["source"] == "procedural"]
rest = [int(i) for i in np.argsort(-stability) if i not in eligible]
rows = (eligible + rest)[:COUNTS["grid"]]  # the most stable others if too few qualify
print(f"{int(stable.sum())} of {len(infos)} photographs are stable; grid rows: {rows}")
for i in rows:
    print(f"  {i}: {infos[i]['kind']} at {infos[i]['scale']:.1f} px ({infos[i]['blend']}) on "
          f"{infos[i]['photo']}, stability {stability[i]:.1f} dB")

# %%
grid = {(i, name): retexture.retexture(bench_t[i], generator, photos[name], STRENGTH,
                                       seed=SEED + i, scale=SCALE, structure=first[i])
        for i in rows for name in TEXTURES}
panels = [image for i in rows for image in
          [bench_t[i], *(grid[i, name].image for name in TEXTURES)]]
fig = plots.show_images(panels, ncols=1 + len(TEXTURES), value_range=(0, 1), size=2.2,
                        titles=["photograph", *TEXTURES] + [""] * (len(panels) - 4))
fig.savefig(OUT / "grid.png", dpi=80)

# %% [markdown]
# The benchmark's photographs were flattened and textured by the course. A photograph with
# texture of its own works the same way, at its own size: scikit-image's cat (451×300), its
# fur taken off by the remover (in tiles) and two exemplars put on instead, at the fur's own
# strength (`strength=None`).

# %%
cat = exemplars.load("chelsea")
cats = [retexture.retexture(cat, generator, photos[name], None, seed=SEED, scale=SCALE,
                            passes=PASSES) for name in TEXTURES[:2]]
print(f"the fur's strength {cats[0].old_strength:.3f}")
plots.show_images([cat, *(c.image for c in cats)],
                  titles=["chelsea", *(f"with {name}" for name in TEXTURES[:2])], ncols=3,
                  value_range=(0, 1), size=3.5);

# %% [markdown]
# ## Strength, as a slider
#
# `retexture.blend_strength(structure, layer, s)` puts a layer on a structure at strength
# `s`; the slider below calls it (`widgets.strength_slider`; move it in JupyterLab, the
# static book shows its first setting). Under it, the same for a few strengths, side by side.

# %%
widgets.strength_slider(one.structure, one.new_layer, value=STRENGTH)

# %%
strengths = [0.0, 0.05, 0.1, 0.2, 0.3]
plots.show_images([retexture.blend_strength(one.structure, one.new_layer, s)
                   for s in strengths], titles=[f"strength {s}" for s in strengths],
                  ncols=len(strengths), value_range=(0, 1), size=2.2);

# %% [markdown]
# ## One region only
#
# `retexture.mask_from_point(structure, (y, x), tolerance)` floods the structure from one
# pixel: the connected pixels whose colour lies within `tolerance` of that pixel's. Passed as
# `mask`, only that region gets the new texture; elsewhere the photograph is untouched (the
# old texture stays). Which point? Of a few points spread over the photograph, the one whose
# region covers closest to a quarter of it:

# %%
points = [(y, x) for y in range(SIZE // 8, SIZE, SIZE // 4) for x in range(SIZE // 8, SIZE,
                                                                          SIZE // 4)]
regions = [retexture.mask_from_point(one.structure, p, tolerance=0.08) for p in points]
pick = int(np.argmin([abs(r.mean() - 0.25) for r in regions]))
region = regions[pick]
print("point (y, x):", points[pick])
inside = retexture.retexture(bench_t[k], generator, photos[TEXTURES[-1]], STRENGTH, seed=SEED,
                             scale=SCALE, mask=region, structure=one.structure)
outside_same = bool(np.array_equal(inside.image[~region], bench_t[k][~region]))
print(f"region: {region.mean():.0%} of the image; outside it the photograph is unchanged: "
      f"{outside_same}")
plots.show_images([bench_t[k], region.astype(np.float32)[..., None].repeat(3, -1),
                   inside.image], titles=["photograph", "region", f"{TEXTURES[-1]} inside"],
                  ncols=3, value_range=(0, 1), size=2.5);

# %% [markdown]
# ## Texture transfer: from photograph A to photograph B
#
# Now the full path from removal to generation. The layer removed from photograph A is
# itself a texture: `retexture.layer_exemplar` turns it into an exemplar in [0, 1] (its
# contrast set to a fixed strength, since `retexture` rescales whatever it paints), and that
# exemplar is quilted, or learned by lesson 06's spatial GAN, and painted onto photograph B's
# structure. The photographs are 256×256 here, so the GAN has crops enough to learn from. A
# is the one, among a few benchmark photographs with a real photographed texture large
# enough to see (features of 6 pixels or more), whose layer the remover recovers best
# (correlation with its true layer); B is the first one with another kind of texture on a
# structure that is not dark (a multiplicative texture on a dark structure is faint).

# %%
big_t, big_s, big_infos = benchmark.photo_pairs("test", COUNTS["transfer"], 2 * SIZE, SEED)
big_first = retexture.structure_of(big_t, generator, PASSES)
big_layers = retexture.texture_layer(big_t, big_first)
big_true = retexture.texture_layer(big_t, big_s)
real = [i for i, info in enumerate(big_infos) if info["source"] == "real"
        and info["scale"] >= 6] or list(range(len(big_infos)))  # smoke: any
a = max(real, key=lambda i: retexture.layer_correlation(big_layers[i], big_true[i]))
others = [i for i, info in enumerate(big_infos)
          if i != a and info["kind"] != big_infos[a]["kind"]] or [(a + 1) % len(big_infos)]
b = next((i for i in others if big_first[i].mean() >= 0.35), others[0])
for name, i in (("A", a), ("B", b)):
    info = big_infos[i]
    print(f"{name}: photograph {i}, {info['kind']} at {info['scale']:.1f} px "
          f"({info['blend']}) on {info['photo']}")
exemplar_a = retexture.layer_exemplar(big_layers[a])

# %% [markdown]
# Quilting the layer (`retexture.transfer` does the whole path in one call), and the GAN:
# trained on A's layer with lesson 06's settings for this profile, into a run folder named
# after the exemplar, so a rerun loads it instead of training again. No shipped model knows
# A's layer, so with `PRETRAINED = True` the GAN is skipped and quilting alone is shown.

# %%
quilted = retexture.transfer(big_t[a], big_t[b], generator, STRENGTH, seed=SEED,
                             passes=PASSES)
made_b = {"quilted": quilted}
if PRETRAINED:
    print("PRETRAINED = True: the GAN on A's layer is not trained; quilting only")
else:
    config = texture.TextureConfig.from_profile(profile, seed=SEED,  # as lesson 06 trains
                                                steps=max(1, profile.texture_steps // 4))
    digest = hashlib.sha1(exemplar_a.tobytes()).hexdigest()[:8]  # a new layer, a new run
    gan_dir = texture.run_folder(OUT, f"layer-{digest}", config)
    gan = texture.train_texture(exemplar_a, config, name=f"layer-{digest}", resume=True,
                                out=gan_dir, progress=False)
    print(f"GAN: {config.steps} steps on A's layer ({exemplar_a.shape[0]}² exemplar), "
          f"run folder {gan_dir.name}")
    made_b["GAN"] = retexture.retexture(big_t[b], generator, gan, STRENGTH, seed=SEED,
                                        structure=big_first[b])

# %%
fig = plots.show_images([big_t[a], exemplar_a, big_t[b], *[r.image for r in made_b.values()]],
                        titles=["A", "A's layer, as exemplar", "B",
                                *[f"B with A's layer, {name}" for name in made_b]],
                        ncols=2 + len(made_b), value_range=(0, 1), size=2.6)
fig.savefig(OUT / "transfer.png", dpi=80)


# %% [markdown]
# ## Did it work? Three measurements
#
# For every benchmark photograph and every exemplar, at the chosen scale and strength:
#
# 1. **The structure is kept**: remove the texture from the re-textured image and compare
#    with the first structure (PSNR). The re-textured image itself, compared with the first
#    structure, says how much texture there is to take off.
# 2. **The new texture is there**: the layer read back from the re-textured image (its
#    *recovered* layer) against the new layer that was painted, with lesson 06's pyramid Gram
#    distance (`retexture.layer_distance`: statistics at three scales, each layer at the same
#    strength first, so that only the pattern counts) and pixel by pixel (correlation).
# 3. **The old texture is gone**: the same against the photograph's old texture (its true
#    layer, which the benchmark knows).
#
# The floor for distance 2 is lesson 06's: two independent paintings of the same exemplar,
# the distance of one texture to itself.

# %%
def measure(made: dict, structures: np.ndarray, new_layers: dict, old_layers: np.ndarray,
            gram: bool = True) -> dict:
    """Per texture, per photograph: remove-again PSNR, input PSNR, and how the recovered layer
    compares with the new and the old layer (correlation, and Gram distance if ``gram``)."""
    table = {}
    for name, images in made.items():
        again = removal.predict(generator, images)
        recovered = retexture.texture_layer(images, again)
        row = {"again": metrics.psnr(again, structures),
               "input": metrics.psnr(images, structures),
               "corr_new": np.array([retexture.layer_correlation(r, n) for r, n in
                                     zip(recovered, new_layers[name])]),
               "corr_old": np.array([retexture.layer_correlation(r, o) for r, o in
                                     zip(recovered, old_layers)])}
        if gram:
            row["d_new"] = np.array([retexture.layer_distance(r, n) for r, n in
                                     zip(recovered, new_layers[name])])
            row["d_old"] = np.array([retexture.layer_distance(r, o) for r, o in
                                     zip(recovered, old_layers)])
        table[name] = row
    return table


def paint_all(name: str, strength: float | None, seed: int = SEED, scale: float = SCALE,
              indices=None) -> tuple[np.ndarray, np.ndarray]:
    """Every benchmark photograph (or those of ``indices``) re-textured with one exemplar:
    the images and the new layers, each ``[N, SIZE, SIZE, 3]``."""
    results = [retexture.retexture(bench_t[i], generator, photos[name], strength,
                                   seed=seed + i, scale=scale, structure=first[i])
               for i in (range(len(infos)) if indices is None else indices)]
    return np.stack([r.image for r in results]), np.stack([r.new_layer for r in results])


made, new_layers, floor = {}, {}, {}
for name in TEXTURES:
    made[name], new_layers[name] = paint_all(name, STRENGTH)
    second = paint_all(name, STRENGTH, seed=SEED + 1000, indices=range(4))[1]  # other seeds
    floor[name] = float(np.mean([retexture.layer_distance(x, n) for x, n in
                                 zip(second, new_layers[name])]))
table = measure(made, first, new_layers, true_layers)

# %%
print(f"{'texture':8s} {'input dB':>9s} {'again dB':>9s} {'min':>6s} {'≥ 28 dB':>8s}"
      f" {'stable ≥ 28':>12s}")
for name, row in table.items():
    print(f"{name:8s} {row['input'].mean():9.2f} {row['again'].mean():9.2f} "
          f"{row['again'].min():6.2f} {int((row['again'] >= 28).sum()):4d}/{len(infos):<3d}"
          f" {int((row['again'][stable] >= 28).sum()):7d}/{int(stable.sum()):<4d}")

# %% [markdown]
# The first column is the re-textured photograph against the first structure, the second the
# same after removing the texture again: the gap between them is the new texture, taken off.
# Where "again" comes back above 28 dB (a difference of 4 % of the range, RMS) the structure
# is kept. The last column counts only stable photographs, the ones the check can judge.

# %%
print(f"{'texture':8s} {'d new':>7s} {'d old':>7s} {'floor':>7s} {'closer to new':>14s}"
      f" {'corr new':>9s} {'corr old':>9s}")
for name, row in table.items():
    closer = row["d_new"] < row["d_old"]
    print(f"{name:8s} {row['d_new'].mean():7.3f} {row['d_old'].mean():7.3f} "
          f"{floor[name]:7.3f} {int(closer.sum()):9d}/{len(infos):<4d} "
          f"{row['corr_new'].mean():9.2f} {row['corr_old'].mean():9.2f}")
for name, row in table.items():
    within = "within" if row["d_new"].mean() <= floor[name] else "beyond"
    follows = "the new" if row["corr_new"].mean() > row["corr_old"].mean() else "the old"
    print(f"-> {name}: the recovered layer is {within} the floor on average, and follows "
          f"{follows} texture more closely, pixel by pixel")


# %% [markdown]
# The verdicts, for the grid's photographs (each must pass both checks, with each texture)
# and for all the benchmark's:

# %%
def verdict(indices: list, label: str) -> None:
    for name, row in table.items():
        kept = row["again"][indices] >= 28
        closer = row["d_new"][indices] < row["d_old"][indices]
        print(f"{label}, {name}: structure kept (≥ 28 dB) on {int(kept.sum())}/{len(indices)}"
              f", recovered layer closer to the new texture than to the old on "
              f"{int(closer.sum())}/{len(indices)}"
              + (" -> it worked on every one" if kept.all() and closer.all() else ""))


verdict(rows, "grid")
verdict(list(range(len(infos))), "all photographs")

# %% [markdown]
# Pair by pair, the grid:

# %%
print(f"{'photograph':>10s} {'texture':8s} {'again dB':>9s} {'d new':>7s} {'d old':>7s}")
for i in rows:
    for name, row in table.items():
        print(f"{i:10d} {name:8s} {row['again'][i]:9.2f} {row['d_new'][i]:7.3f} "
              f"{row['d_old'][i]:7.3f}")

# %% [markdown]
# Read the distances against the floor. A recovered layer beyond the floor differs from the
# painted one more than a second painting of the same exemplar does: what the remover leaves
# behind, or takes too much of, lands in the recovered layer, on top of the new texture.
# That is why the verdict compares with the old texture too: the recovered layer must be
# nearer the new one.
#
# ### Strength against structure
#
# Is a stronger texture harder to take off? The same check for a few strengths, and for each
# photograph's own strength (`strength=None`, matched), with the cheap pixel-by-pixel measure
# only:

# %%
judged = stable if stable.any() else np.ones_like(stable)  # smoke may have none stable
sweep = {}
for s in (0.05, 0.1, 0.2, 0.3, None):
    painted = {name: paint_all(name, s) for name in TEXTURES}
    rows_s = measure({n: p[0] for n, p in painted.items()}, first,
                     {n: p[1] for n, p in painted.items()}, true_layers, gram=False)
    label = "matched" if s is None else f"{s:.2f}"
    again = np.stack([row["again"] for row in rows_s.values()])
    sweep[label] = float((again[:, judged] >= 28).mean())
    print(f"strength {label:>7s}: remove-again {again.mean():.2f} dB, stable photographs ≥ 28 dB"
          f" {sweep[label]:.0%}; correlation with the new layer "
          f"{np.mean([row['corr_new'].mean() for row in rows_s.values()]):.2f}, the old "
          f"{np.mean([row['corr_old'].mean() for row in rows_s.values()]):.2f}")
kept_up_to = [label for label, share in sweep.items() if share == 1.0 and label != "matched"]
print("the structure is kept on every stable photograph up to strength",
      max(kept_up_to, key=float) if kept_up_to else "- (at none of these)")

# %% [markdown]
# ### The transfer, measured
#
# For the transfer the benchmark knows A's true layer and B's. The recovered layer of the
# re-textured B, against A's layer (what should be there now) and B's old one (what should be
# gone): the Gram distance, and lesson 06's classifier two-sample test (c2st: 0.5, it cannot
# tell crops of the two apart; 1.0, it always can). The floor: the two halves of A's own
# layer.

# %%
JUDGE = dict(crop=32 if profile.name == "smoke" else 64, steps=COUNTS["c2st_steps"],
             seed=SEED)
structure_b = big_first[b]
floor_ab = retexture.layer_distance(big_true[a][:, :SIZE], big_true[a][:, SIZE:])
floor_c2st = yardstick.two_sample_accuracy(retexture.layer_exemplar(big_true[a][:, :SIZE]),
                                           retexture.layer_exemplar(big_true[a][:, SIZE:]),
                                           **JUDGE)
print(f"floor (A's layer, one half against the other): distance {floor_ab:.3f}, "
      f"c2st {floor_c2st:.2f}")
transfer_rows = {}
for name, result in made_b.items():
    again = removal.predict(generator, result.image[None])[0]
    recovered = retexture.texture_layer(result.image, again)
    row = {"again": float(metrics.psnr(again[None], structure_b[None])[0])}
    for ref, layer in (("A", big_true[a]), ("B old", big_true[b])):
        row[f"d {ref}"] = retexture.layer_distance(recovered, layer)
        row[f"c2st {ref}"] = yardstick.two_sample_accuracy(
            retexture.layer_exemplar(layer), retexture.layer_exemplar(recovered), **JUDGE)
    transfer_rows[name] = row
    print(f"{name:8s} remove-again {row['again']:.2f} dB; distance to A {row['d A']:.3f}, "
          f"to B's old {row['d B old']:.3f}; c2st against A {row['c2st A']:.2f}, "
          f"against B's old {row['c2st B old']:.2f}")

# %%
for name, row in transfer_rows.items():
    closer = "A's layer" if row["d A"] < row["d B old"] else "B's old layer"
    if abs(row["c2st A"] - row["c2st B old"]) < 0.05:  # within the test's spread
        c2st = "the classifier tells it from A's layer about as easily as from B's old one"
    else:
        easier = "less" if row["c2st A"] < row["c2st B old"] else "more"
        c2st = f"the classifier tells it {easier} easily from A's layer than from B's old one"
    kept = "kept" if row["again"] >= 28 else "not kept"
    print(f"{name}: the recovered layer is closer to {closer} (Gram); {c2st}; the structure is "
          f"{kept} ({row['again']:.1f} dB)")

# %% [markdown]
# The Gram distance averages statistics over positions; the classifier looks at whole crops
# and needs only one difference to tell them apart. Where it tells the recovered layer from
# A's about as easily as from B's old one, something other than the texture can give the
# layer away: what the remover added to it, traces of B's edges, and of A's, which came with
# A's layer into the exemplar (see the exemplar above).
#
# ## Failures
#
# Three ways re-texturing goes wrong, each measured above:
#
# - **an unstable remover**: on some photographs one pass of the remover changes its own
#   output; the passes chosen above are there for that, and where a first structure is still
#   not stable, neither the re-texturing nor its check can be trusted;
# - **a texture the remover keeps**: the remove-again PSNR is low, part of the new texture
#   survived as "structure" (or the remover took some structure with it);
# - **the old texture stays**: the recovered layer is closer to the old texture than to the
#   new one, because the remover had left part of it in the first structure.
#
# The unstable photographs, the first structure beside the remover's output on it:

# %%
unstable = [int(i) for i in np.argsort(stability) if not stable[i]][:3]
print("unstable photographs:", ", ".join(f"{i} ({stability[i]:.1f} dB, {infos[i]['kind']}, "
                                         f"{infos[i]['blend']})" for i in unstable) or "none")
if unstable:
    plots.show_images([x for i in unstable for x in
                       (bench_t[i], first[i], removal.predict(generator, first[i][None])[0])],
                      titles=["photograph", "first structure", "removed again"] * len(unstable),
                      ncols=3, value_range=(0, 1), size=2.0)

# %% [markdown]
# The stable photographs with the lowest remove-again PSNR, for the exemplar that fares
# worst, and the photographs whose recovered layer stayed closer to the old texture:

# %%
worst_name = min(TEXTURES, key=lambda n: table[n]["again"][stable].mean())
order = [int(i) for i in np.argsort(table[worst_name]["again"]) if stable[i]][:3]
print(f"{worst_name}, lowest remove-again PSNR on stable photographs: " + ", ".join(
    f"{i} ({table[worst_name]['again'][i]:.1f} dB; old texture {infos[i]['kind']} at "
    f"{infos[i]['scale']:.0f} px, {infos[i]['blend']}, strength {old_strength[i]:.2f})"
    for i in order))
again_worst = removal.predict(generator, made[worst_name][order])
plots.show_images([x for j, i in enumerate(order) for x in
                   (bench_t[i], made[worst_name][i], again_worst[j], first[i])],
                  titles=["photograph", f"with {worst_name}", "removed again",
                          "first structure"] * len(order), ncols=4, value_range=(0, 1),
                  size=2.0);

# %%
for name, row in table.items():
    stuck = [int(i) for i in np.where(row["d_new"] >= row["d_old"])[0]]
    print(f"{name}: closer to the old texture on {len(stuck)} photographs" + (": " + ", ".join(
        f"{i} (old {infos[i]['kind']} at {infos[i]['scale']:.0f} px, {infos[i]['blend']}, "
        f"stable: {bool(stable[i])})" for i in stuck[:4]) if stuck else ""))

# %% [markdown]
# Two things to look for in these lists: old textures as fine as the new ones, whose
# statistics are close to theirs, and strong additive or mixed old textures, of which the
# remover may have left traces in the first structure.
#
# ## The command line
#
# The same, outside Jupyter, on your own photographs (one PNG per image in `--out`, never
# over an input; a bad file gets a one-line error and the others are still done):
#
# ```bash
# python -m gandetexture retexture photo.jpg other.png --remover runs/remover \
#     --quilt brick --scale 0.25 --out retextured/    # [--strength S] [--passes P] [--seed N]
# python -m gandetexture retexture photo.jpg --remover runs/remover --texture runs/brick \
#     --out retextured/
# ```
#
# ## Summary
#
# - A structure to re-texture must be one the remover keeps: `retexture.structure_of` runs
#   the remover more than once, as many passes as validation needs to be stable, for a
#   little detail.
# - The blend model read backwards: with the remover's structure `s`, a multiplicative layer
#   is `image / s − 1`; its root mean square is the texture's strength, weighted by the
#   structure's brightness so that added or mixed textures are not overrated.
# - `retexture.retexture` removes, paints (quilting an exemplar, or a trained texture model),
#   rescales to a strength (or the old one) and composes, at any size, in a mask if asked;
#   `retexture.transfer` paints the layer of one photograph onto another, and the same layer
#   is an exemplar a spatial GAN can learn: removal, then generation.
# - Checked three ways: removing the texture again gives back the first structure (PSNR),
#   the recovered layer follows the new texture (Gram distance against a floor, correlation)
#   and not the old one. The strength sweep shows the price of a strong texture.
# - It fails where the remover fails: photographs it is unstable on, textures it keeps, and
#   old texture it had left in the first structure.
#
# ## Exercises
#
# 1. Re-texture your own photograph (set `IMAGE_FILE` in the parameters cell; without one,
#    use the first benchmark photograph) with gravel at its own strength (`strength=None`),
#    and show the photograph, its structure and the result.
# 2. Make the bricks of the grid twice as large (`scale=2 * SCALE`): what does that do to the
#    remove-again PSNR of the grid's photographs?
# 3. Transfer the other way, from B to A, by quilting, and say whether the recovered layer is
#    closer to B's layer than to A's old one.
# 4. Re-texture every test photograph with brick on one-pass structures (`one_pass`,
#    made beside the first structures): on how many does the structure come back above
#    28 dB, against how many with the chosen passes?

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
mine = gdt.load_image(IMAGE_FILE, max_side=512) if IMAGE_FILE else bench_t[0]
yours = retexture.retexture(mine, generator, photos[TEXTURES[-1]], None, seed=SEED,
                            scale=SCALE, passes=PASSES)
print(f"old strength {yours.old_strength:.3f}, new strength {yours.strength:.3f}")
plots.show_images([mine, yours.structure, yours.image],
                  titles=["yours" if IMAGE_FILE else "benchmark photograph", "structure",
                          f"with {TEXTURES[-1]}"], ncols=3, value_range=(0, 1), size=3);

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
brick = TEXTURES[0]
for factor in (1, 2):
    made_big = paint_all(brick, STRENGTH, scale=factor * SCALE, indices=rows)[0]
    print(f"scale {factor * SCALE}: remove-again PSNR on the grid's photographs "
          f"{np.round(remove_again(made_big, first[rows]), 1)} dB")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
back = retexture.transfer(big_t[b], big_t[a], generator, STRENGTH, seed=SEED, passes=PASSES)
recovered = retexture.texture_layer(back.image,
                                    removal.predict(generator, back.image[None])[0])
to_b = retexture.layer_distance(recovered, big_true[b])
to_a = retexture.layer_distance(recovered, big_true[a])
print(f"distance to B's layer {to_b:.3f}, to A's old layer {to_a:.3f}: closer to "
      f"{'B (it worked)' if to_b < to_a else 'A (it did not)'}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["hide-input", "hide-output", "solution"]
brick = TEXTURES[0]
made_one = np.stack([retexture.retexture(bench_t[i], generator, photos[brick], STRENGTH,
                                         seed=SEED + i, scale=SCALE,
                                         structure=one_pass[i]).image
                     for i in range(len(infos))])
kept_one = int((remove_again(made_one, one_pass) >= 28).sum())
kept = int((table[brick]["again"] >= 28).sum())
print(f"{brick}: structure kept on {kept_one}/{len(infos)} photographs with one pass, "
      f"{kept}/{len(infos)} with {PASSES}")
