"""The course's models, shipped inside the package: no training, no network.

A class of 90 minutes cannot wait ten minutes for lesson 05's remover, so the package ships
the models the lessons train, each made by the package's own command line under the ``cpu``
profile (``make pretrained`` runs :data:`RECIPES` again) and kept in ``gandetexture/models/``
with its ``metrics.json``: the scores it had then and the exact command. A lesson with
``PRETRAINED = True`` loads them instead of training::

    from gandetexture import pretrained

    remover = pretrained.remover()                    # lesson 05's remover (a keras.Model)
    generator = pretrained.article_gan()              # lesson 02's MLP generator (a keras.Model)
    runs = pretrained.toy()                           # lesson 03's toy GANs, {loss: ToyRun}
    brick = pretrained.texture("brick")               # lesson 06's GAN, trained on the train half
    image = brick.generate(512, 512, seed=1)          # float32 [1, 512, 512, 3] in [-1, 1]
    pretrained.metrics("brick")["command"]            # how it was made

``tests/test_pretrained.py`` checks every model still scores its ``metrics.json``'s
``"check"`` (:func:`check_scores`), so a change that breaks them fails CI. Lesson 07's
settings of the classical filters, tuned under ``cpu``, ship the same way (:func:`filters`,
``models/filters/tuned.json``, checked by ``tests/test_pretrained_filters.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Where the models live, inside the installed package.
MODELS = Path(__file__).resolve().parent / "models"

#: How each model is made: the arguments of ``python -m gandetexture`` (then ``--out``).
#: Lesson 06's exemplars get ``train-texture``'s whole ``cpu`` budget (4,000 steps, about
#: 6 minutes each on 2 cores), trained on their train halves; the two-texture blend and the
#: periodic generator a sixteenth of it, as the lesson trains them, with batch norm in D,
#: which gets further in so few steps (the periodic gravel at 250 steps without it: a
#: washed-out grey, standard deviation 0.12 and Gram distance 1.44 against 0.32 and 0.26).
RECIPES: dict[str, tuple[str, ...]] = {
    "remover": ("train-remover", "--profile", "cpu", "--seed", "0"),
    "brick": ("train-texture", "--exemplar", "brick", "--half", "train", "--profile", "cpu",
              "--seed", "0"),
    "grass": ("train-texture", "--exemplar", "grass", "--half", "train", "--profile", "cpu",
              "--seed", "0"),
    "gravel": ("train-texture", "--exemplar", "gravel", "--half", "train", "--profile", "cpu",
               "--seed", "0"),
    "grass_gravel": ("train-texture", "--exemplar", "grass|gravel", "--profile", "cpu",
                     "--steps", "250", "--d-batchnorm", "--seed", "0"),
    "gravel_periodic": ("train-texture", "--exemplar", "gravel", "--periodic", "--profile",
                        "cpu", "--steps", "250", "--d-batchnorm", "--seed", "0"),
    # lesson 02's MLP GAN, its generator only (shipped in float16, see article_gan())
    "article_gan": ("train-article-gan", "--profile", "cpu", "--seed", "0"),
    # lesson 03's toy GANs, one per adversarial loss (both networks of each, 0.7 MB in all)
    "toy": ("train-toy", "--profile", "cpu", "--seed", "0"),
}

#: Decimals :func:`check_scores` rounds to, and ``metrics.json`` records.
PRECISION = 4

#: Side of the texture a check paints, and of the exemplar crops it is compared with.
CHECK_SIZE, CHECK_CROP = 256, 128


def names() -> list[str]:
    """The shipped models' names (folders of :data:`MODELS`)."""
    return list(RECIPES)


def folder(name: str) -> Path:
    """The folder of one shipped model; a ``ValueError`` listing the names for another."""
    if name not in RECIPES:
        raise ValueError(f"no shipped model {name!r}; the package ships {', '.join(RECIPES)}")
    path = MODELS / name
    if not all((path / file).is_file() for file in files(name) if file.endswith(".keras")):
        raise ValueError(f"{path}: the shipped model {name!r} is missing from this "
                         f"installation; `make pretrained` makes it again")
    return path


def files(name: str) -> list[str]:
    """The files a shipped model's folder holds: ``model.keras`` (lesson 03's toy GANs: both
    networks of every loss, :func:`gandetexture.toy.network_files`) and its records."""
    records = ["run.json", "metrics.json", "history.json"]
    if name != "toy":
        return ["model.keras", *records]
    from gandetexture import losses, toy

    return [file for loss in losses.NAMES for file in toy.network_files(loss)] + records


def texture_name(exemplar: str = "brick", periodic: bool = False) -> str:
    """The shipped texture model's name for an exemplar: ``"grass|gravel"`` →
    ``"grass_gravel"``; ``periodic`` adds ``"_periodic"``."""
    return exemplar.replace("|", "_") + ("_periodic" if periodic else "")


def metrics(name: str) -> dict[str, Any]:
    """``metrics.json`` of a shipped model: its scores when it was made, ``"command"`` (the
    exact command line) and ``"check"`` (see :func:`check_scores`)."""
    return json.loads((folder(name) / "metrics.json").read_text())


def history(name: str) -> dict[str, list[float]]:
    """The training history of a shipped model (every k-th step, at most about 1000 rows)."""
    path = folder(name) / "history.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def command(name: str) -> str:
    """The command line that makes the model ``name`` (into ``runs/<name>``)."""
    args = [f"'{a}'" if "|" in a else a for a in RECIPES[name]]
    return " ".join(["python -m gandetexture", *args, "--out", f"runs/{name}"])


def remover():
    """Lesson 05's remover, trained by ``train-remover --profile cpu``: a ``keras.Model``
    that maps ``float32 [B, H, W, 3] in [-1, 1]`` to the same (see
    :func:`gandetexture.removal.remove_texture` for images of any size in [0, 1])."""
    from gandetexture import removal

    return removal.load_remover(folder("remover"))


def article_gan():
    """Lesson 02's MLP generator, trained by ``train-article-gan --profile cpu`` (its
    discriminator is not shipped: the lesson needs only the generator after training): a
    ``keras.Model`` from ``z: float32 [B, 100]`` to ``float32 [B, 32, 32, 3] in [-1, 1]``.
    Shipped in float16 (half the bytes) and widened to float32 on loading."""
    from gandetexture import article

    return article.load_generator(folder("article_gan"))


def toy():
    """Lesson 03's toy GANs, trained by ``train-toy --profile cpu``: ``{loss name:
    gandetexture.toy.ToyRun}`` (generator, discriminator, history thinned to about 1000 rows,
    ``seconds`` the training took then), one per loss of :data:`gandetexture.losses.NAMES`."""
    from gandetexture import toy as toy_gan

    return toy_gan.load_runs(folder("toy"))


def texture(exemplar: str = "brick", periodic: bool = False):
    """A shipped texture model (:class:`gandetexture.texture.TextureModel`): ``"brick"``,
    ``"grass"`` or ``"gravel"`` (trained on the train half of lesson 06's cut, as lesson 06
    trains them), ``"grass|gravel"`` (both side by side), or ``"gravel"`` with
    ``periodic=True``."""
    from gandetexture import texture as tx

    name = texture_name(exemplar, periodic)
    model = tx.load_texture_model(folder(name))
    model.history = history(name)
    return model


def check_scores(name: str, model=None) -> dict[str, float]:
    """Scores that say whether a model is still the one shipped, in seconds.

    The remover: PSNR and SSIM on the ``cpu`` profile's procedural test split (seed 0). The
    article GAN: what lesson 02 measures of it under ``cpu``, seed 0
    (:func:`gandetexture.article.scores`). The toy GANs: lesson 03's table, ``"<loss>/covered"``,
    ``"/high_quality"`` and ``"/reached"`` (:func:`gandetexture.toy.scores`, seed 0; ``model``:
    ``{loss: ToyRun}``). A texture model: mean, standard deviation and Gram
    distance to ``CHECK_CROP``-px crops of its exemplar of one ``CHECK_SIZE``² texture
    painted with seed 0. Rounded to :data:`PRECISION` decimals.
    """
    import numpy as np

    from gandetexture import config, exemplars, removal
    from gandetexture import metrics as measures

    if name == "remover":
        generator = model if model is not None else remover()
        textured, structure = removal.evaluation_data(config.PROFILES["cpu"], 0)["test"]
        scores = measures.image_scores(removal.predict(generator, textured), structure)
    elif name == "article_gan":
        from gandetexture import article

        scores = article.scores(model if model is not None else article_gan(), "cpu", seed=0)
    elif name == "toy":
        from gandetexture import toy as toy_gan

        table = toy_gan.scores(model if model is not None else toy(), seed=0)
        scores = {f"{loss}/{key}": value for loss, row in table.items()
                  for key, value in row.items()}
    else:
        from gandetexture import texture as tx

        model = model if model is not None else tx.load_texture_model(folder(name))
        image = model.generate(CHECK_SIZE, CHECK_SIZE, seed=0)
        source = exemplars.load(model.config.exemplar)
        if "--half" in RECIPES[name]:
            from gandetexture import yardstick

            source = yardstick.halves(source, yardstick.split_axis(model.config.exemplar))[0]
        crops = exemplars.patches(source, CHECK_CROP, 8, 0)
        scores = {"mean": float(np.mean(image)), "std": float(np.std(image)),
                  "gram": measures.gram_distance(image, crops)}
    return {key: round(float(value), PRECISION) for key, value in scores.items()}


# ---------------------------------------------------------------- lesson 07's tuned filters

#: Lesson 07's settings of the classical filters, tuned under ``cpu`` by :func:`tune_filters`
#: and shipped beside the models, so that its ``PRETRAINED = True`` skips the tuning (over a
#: minute on 2 cores). ``make pretrained`` writes it again.
FILTERS_FILE = MODELS / "filters" / "tuned.json"

#: The arguments of :func:`tune_filters` that made :data:`FILTERS_FILE`: lesson 07's under
#: ``cpu`` (seed 0, 48 pairs of the benchmark's validation split at 128²).
FILTERS_RECIPE: dict[str, Any] = {"profile": "cpu", "seed": 0, "pairs": 48, "size": 128}

#: Validation pairs of each set that :func:`check_filters` scores (about 2 s on 2 cores).
FILTERS_CHECK_PAIRS = 4


def filters_call() -> str:
    """The Python call that makes :data:`FILTERS_FILE`'s settings."""
    args = ", ".join(f"{key}={value!r}" for key, value in FILTERS_RECIPE.items())
    return f"gandetexture.pretrained.tune_filters({args})"


def filter_sets(profile: str = "cpu", seed: int = 0, pairs: int = 48, size: int = 128
                ) -> dict[str, tuple[Any, Any]]:
    """Lesson 07's validation pairs ``(textured, structure)``, each ``float32 [N, S, S, 3] in
    [0, 1]``: ``"procedural"``, lesson 05's validation split under ``profile``
    (:func:`gandetexture.removal.evaluation_data`), and ``"benchmark"``, ``pairs`` pairs of
    the photograph benchmark's ``"val"`` split at ``size``²."""
    from gandetexture import benchmark, config, removal

    textured, structure, _ = benchmark.photo_pairs("val", pairs, size, seed)
    return {"procedural": removal.evaluation_data(config.PROFILES[profile], seed)["val"],
            "benchmark": (textured, structure)}


def tune_filters(profile: str = "cpu", seed: int = 0, pairs: int = 48, size: int = 128
                 ) -> dict[str, dict[str, dict[str, Any]]]:
    """Lesson 07's tuning: :func:`gandetexture.baselines.tune` of every filter on each set
    of :func:`filter_sets`; ``{"procedural" | "benchmark": {filter: {"params", "psnr",
    "ssim"}}}``. About 70 s under ``cpu`` on 2 cores, most of it the benchmark."""
    from gandetexture import baselines

    return {name: baselines.tune(*pair)
            for name, pair in filter_sets(profile, seed, pairs, size).items()}


def check_filters(tuned: dict[str, dict[str, dict[str, Any]]],
                  count: int = FILTERS_CHECK_PAIRS) -> dict[str, dict[str, float]]:
    """Mean PSNR of each tuned setting on the first ``count`` validation pairs of each set of
    :data:`FILTERS_RECIPE`, rounded to :data:`PRECISION` decimals: scores that say, in
    seconds, whether the filters still do what they did when the settings were tuned."""
    import numpy as np

    from gandetexture import baselines
    from gandetexture import metrics as measures

    sets, check = filter_sets(**FILTERS_RECIPE), {}
    for name, rows in tuned.items():
        textured, structure = (images[:count] for images in sets[name])
        check[name] = {f: round(float(np.mean(measures.psnr(baselines.apply(
            f, textured, **row["params"]), structure))), PRECISION) for f, row in rows.items()}
    return check


def filters() -> dict[str, Any]:
    """The shipped filter settings: :data:`FILTERS_RECIPE`'s keys, ``"tuned"`` (what
    :func:`tune_filters` returned), ``"call"`` (:func:`filters_call`), ``"command"``,
    ``"tune_s"`` (seconds it took) and ``"check"`` (:func:`check_filters`)."""
    if not FILTERS_FILE.is_file():
        raise ValueError(f"{FILTERS_FILE}: the shipped filter settings are missing from this "
                         f"installation; `make pretrained` makes them again")
    return json.loads(FILTERS_FILE.read_text())
