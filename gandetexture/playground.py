"""Lesson 09's playground without a browser: the state its controls change and what they show.

The learner picks an image (a benchmark photograph or a procedural pair, whose true structure
is known; a bundled photograph; a file of their own), takes its texture off with a remover,
paints a new texture on its structure (an exemplar quilted, or a shipped texture GAN, at a
seed and a strength) and compares the remover with a classical filter. Every control of
:func:`gandetexture.widgets.playground` calls one method of :class:`Playground`; each keeps
what does not change, so that a control answers in well under a second on a 512² image on a
CPU (``benchmarks/playground.py`` times them):

- the remover's output, per remover and image (:meth:`Playground.structure`);
- the new texture layer, per painter, exemplar, scale, seed and image size
  (:meth:`Playground.new_layer`): the strength slider only rescales it;
- each filter's output, per image, filter and setting (:meth:`Playground.filtered`).

Images are ``float32 [H, W, 3] in [0, 1]``, at most ``side`` (:data:`SIDE`) pixels on their
long side: a larger file is shrunk on loading, and :attr:`Playground.status` says so.
Mistakes a learner can make (a file that is no image, a folder that holds no remover) raise a
``ValueError`` whose message is one line; the widget shows it in its status line.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from gandetexture import baselines, benchmark, datasets, exemplars, io, metrics, retexture

#: Longest side of an image in the playground (larger ones are shrunk to it).
SIDE = 512
#: What the playground paints: the exemplars, the painters, the quilting scales.
EXEMPLARS, PAINTERS, SCALES = exemplars.TEXTURES, ("quilting", "GAN"), (0.25, 0.5, 1.0)
#: Bundled photographs with texture of their own (no true structure is known for them).
PHOTOS = ("chelsea", "coffee", "astronaut")
#: How many benchmark photographs (lesson 07) and procedural pairs (lesson 05) it offers.
BENCHMARK_PHOTOS, PROCEDURAL_PAIRS = 3, 2
#: The settings a learner starts from: lesson 08's strength, relative total variation (the
#: best classic of lesson 07) at the middle of its grid.
DEFAULTS = {"exemplar": "brick", "painter": "quilting", "scale": 0.25, "seed": 0,
            "strength": 0.1, "filter": "rtv", "setting": len(baselines.FILTERS["rtv"][1]) // 2}
#: Largest seed and strength the controls offer.
MAX_SEED, MAX_STRENGTH = 99, 0.5


class Cache:
    """A least-recently-used store of at most ``size`` values: ``get(key, make)`` returns the
    value kept for ``key`` or calls ``make()`` and keeps its result. ``hits`` and ``misses``
    count the two cases (the tests read them)."""

    def __init__(self, size: int = 32):
        self.size, self.items = size, collections.OrderedDict()
        self.hits = self.misses = 0

    def get(self, key, make: Callable):
        if key in self.items:
            self.hits += 1
            self.items.move_to_end(key)
            return self.items[key]
        self.misses += 1
        value = self.items[key] = make()
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


@dataclasses.dataclass
class Scene:
    """An image in the playground: ``image`` and, when known, its true structure ``truth``
    (both ``float32 [H, W, 3] in [0, 1]``); ``note`` says where it comes from; ``key`` is a
    digest of its pixels (what the caches use)."""

    name: str
    image: np.ndarray
    truth: np.ndarray | None = None
    note: str = ""
    key: str = ""

    def __post_init__(self):
        self.image = np.ascontiguousarray(self.image, np.float32)
        digest = hashlib.sha1(str(self.image.shape).encode() + self.image.tobytes())
        self.key = digest.hexdigest()[:16]


def fit(image: np.ndarray, side: int = SIDE) -> tuple[np.ndarray, str]:
    """``image`` shrunk (area averaging) so that its long side is at most ``side``, and a note
    saying so (``""`` when it fitted)."""
    h, w = image.shape[:2]
    if max(h, w) <= side:
        return image, ""
    shape = (max(1, round(h * side / max(h, w))), max(1, round(w * side / max(h, w))))
    small = np.clip(io.resize(image, shape), 0.0, 1.0)
    return small, (f"{w}×{h} px, shrunk to {shape[1]}×{shape[0]} (the playground works at "
                   f"most {side} px on the long side)")


def read_upload(name: str, content, side: int = SIDE) -> Scene:
    """One uploaded file (its name and bytes, e.g. a ``memoryview``) as a :class:`Scene`,
    through :func:`gandetexture.io.load_image` (every format and check it has). A file that
    is not an image raises :class:`gandetexture.io.ImageLoadError` naming the upload."""
    safe = Path(str(name)).name or "upload"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe
        path.write_bytes(bytes(content))
        try:
            image = io.load_image(path)
        except io.ImageLoadError as error:
            raise io.ImageLoadError(safe, error.reason) from None
    small, note = fit(image, side)
    h, w = image.shape[:2]
    return Scene(f"upload: {safe}", small, None, note or "uploaded")


def uploaded_files(value) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of each file of an ``ipywidgets.FileUpload`` value: ipywidgets 8
    gives a tuple of dicts with ``"name"`` and ``"content"`` (a ``memoryview``), ipywidgets 7
    a dict ``{name: {"content": ...}}``."""
    if isinstance(value, Mapping):
        value = [{"name": name, **dict(item)} for name, item in value.items()]
    return [(str(item["name"]), bytes(item["content"])) for item in value]


def upload_value(name: str, content: bytes) -> tuple[dict, ...]:
    """What ``ipywidgets.FileUpload`` holds once the file ``name`` with bytes ``content`` is
    sent (ipywidgets 8): to feed :meth:`Playground.upload`, or the widget, without a
    browser."""
    import datetime

    data = memoryview(bytes(content))
    return ({"name": name, "type": "", "size": len(data), "content": data,
             "last_modified": datetime.datetime.now(datetime.UTC)},)


def sources(side: int = SIDE, seed: int = 0) -> dict[str, Callable[[], Scene]]:
    """The images the playground offers, by label: benchmark photographs (lesson 07's test
    split, true structure known), procedural pairs (lesson 05's test stream, true structure
    known) and :data:`PHOTOS`, each made when first chosen."""
    def photo_pair(i: int) -> Scene:
        textured, structure, infos = benchmark.photo_pairs("test", i + 1, side, seed)
        info = infos[i]
        return Scene(f"benchmark photograph {i + 1}", textured[i], structure[i],
                     f"{info['photo']} flattened, {info['kind']} at {info['scale']:.0f} px "
                     f"({info['blend']})")

    def procedural(i: int) -> Scene:
        textured, structure, infos = datasets.make_pairs(1, side, seed, split="test", start=i,
                                                         return_info=True)
        return Scene(f"procedural pair {i + 1}", textured[0], structure[0],
                     f"{infos[0]['name']} at {infos[0]['scale']:.0f} px on a procedural structure "
                     f"({infos[0]['blend']})")

    def photograph(name: str) -> Scene:
        image, note = fit(exemplars.load(name), side)
        return Scene(f"photograph: {name}", image, None, note or "its own texture")

    made = {f"benchmark photograph {i + 1}": lambda i=i: photo_pair(i)
            for i in range(BENCHMARK_PHOTOS)}
    made.update({f"procedural pair {i + 1}": lambda i=i: procedural(i)
                 for i in range(PROCEDURAL_PAIRS)})
    made.update({f"photograph: {name}": lambda name=name: photograph(name) for name in PHOTOS})
    return made


def filter_label(params: Mapping[str, float]) -> str:
    """A filter setting as text: ``"lam=0.001, sigma=2.5"``."""
    return ", ".join(f"{key}={value:g}" for key, value in params.items())


def new_path(folder: Path, stem: str) -> Path:
    """``folder/stem.png``, or ``stem-2.png``, ``stem-3.png``... : the first that does not
    exist (a saved result never replaces a file)."""
    path, k = folder / f"{stem}.png", 2
    while path.exists():
        path, k = folder / f"{stem}-{k}.png", k + 1
    return path


class Playground:
    """The playground's state and logic (what :func:`gandetexture.widgets.playground` calls).

    Parameters
    ----------
    removers : keras.Model or dict
        The remover, or ``{label: remover}``; the first is used.
    side : int
        Longest side of the images (:data:`SIDE`).
    seed : int
        Seed of the benchmark photographs and procedural pairs.
    out : path
        Folder :meth:`save` writes into.
    scene : str or Scene, optional
        The first image: a label of :attr:`sources` or a scene (default: the first source).
    """

    def __init__(self, removers, side: int = SIDE, seed: int = 0, out=".", scene=None):
        self.removers = dict(removers) if isinstance(removers, Mapping) else {"remover": removers}
        self.remover = next(iter(self.removers))
        self.side, self.out = int(side), Path(out)
        self.sources = sources(self.side, seed)
        self.settings = dict(DEFAULTS)
        self.models: dict[str, object] = {}
        self.caches = {"scene": Cache(16), "structure": Cache(16), "layer": Cache(32),
                       "filtered": Cache(48)}
        self.status = ""
        self.scene: Scene = None  # set by choose
        self.choose(scene if scene is not None else next(iter(self.sources)))

    # ----------------------------------------------------------------- what is played with
    def choose(self, scene) -> Scene:
        """Make ``scene`` (a label of :attr:`sources`, or a :class:`Scene`, which is added
        to them) the current image."""
        if isinstance(scene, Scene):
            self.sources[scene.name] = lambda scene=scene: scene
            scene = scene.name
        if scene not in self.sources:
            raise ValueError(f"no image {scene!r} in the playground; choose one of "
                             f"{', '.join(self.sources)}")
        self.scene = self.caches["scene"].get(scene, self.sources[scene])
        h, w = self.scene.image.shape[:2]
        self.status = f"{self.scene.name}: {w}×{h} px; {self.scene.note}"
        return self.scene

    def upload(self, value) -> Scene | None:
        """Add the files of a ``FileUpload`` value (:func:`uploaded_files`) and choose the
        last; ``None`` for an empty value. A file that is not an image raises
        :class:`gandetexture.io.ImageLoadError` (the files before it are added)."""
        scene = None
        for name, content in uploaded_files(value):
            scene = self.choose(read_upload(name, content, self.side))
        return scene

    def add_remover(self, folder, remover=None) -> str:
        """Add a remover: ``remover`` itself, or the one in the run folder ``folder``
        (:func:`gandetexture.removal.load_remover`, a ``ValueError`` naming a folder that
        holds none); it becomes the current one. Returns its label."""
        from gandetexture import removal

        label = str(folder).strip()
        if not label:
            raise ValueError("type the path of a run folder of train-remover first")
        self.removers[label] = remover if remover is not None else removal.load_remover(label)
        self.use_remover(label)
        return label

    def use_remover(self, label: str) -> None:
        if label not in self.removers:
            raise ValueError(f"no remover {label!r}; choose one of {', '.join(self.removers)}")
        self.remover = label
        self.status = f"remover: {label}"

    def update(self, **changes) -> dict:
        """Change settings by name (:data:`DEFAULTS`), checking each; a new filter starts at
        the middle of its grid unless ``setting`` is given. Returns the settings."""
        choices = {"exemplar": EXEMPLARS, "painter": PAINTERS, "scale": SCALES,
                   "filter": tuple(baselines.FILTERS)}
        new = {**self.settings, **changes}
        if "filter" in changes and "setting" not in changes:
            new["setting"] = len(baselines.FILTERS[new["filter"]][1]) // 2 \
                if new["filter"] in baselines.FILTERS else 0
        for name, value in changes.items():
            if name not in DEFAULTS:
                raise ValueError(f"unknown setting {name!r}; the playground has "
                                 f"{', '.join(DEFAULTS)}")
            if name in choices and value not in choices[name]:
                raise ValueError(f"{name} {value!r}: choose one of "
                                 f"{', '.join(map(str, choices[name]))}")
        limits = {"seed": MAX_SEED, "strength": MAX_STRENGTH,
                  "setting": len(baselines.FILTERS[new["filter"]][1]) - 1}
        for name, top in limits.items():
            if not 0 <= new[name] <= top:
                raise ValueError(f"{name} must be in [0, {top}], got {new[name]!r}")
        self.settings = new
        self.status = ", ".join(f"{name} = {value:g}" if isinstance(value, float) else
                                f"{name} = {value}" for name, value in changes.items())
        return new

    # ----------------------------------------------------------------- what is shown
    def structure(self) -> np.ndarray:
        """The current remover's output for the current image (cached per both)."""
        from gandetexture import removal

        key = (self.remover, id(self.removers[self.remover]), self.scene.key)
        return self.caches["structure"].get(key, lambda: removal.remove_texture(
            self.scene.image, self.removers[self.remover]))

    def layer(self) -> np.ndarray:
        """The texture layer the remover took away, ``[H, W, 3] in [-1, 1]``
        (:func:`gandetexture.retexture.texture_layer`)."""
        return retexture.texture_layer(self.scene.image, self.structure())

    def texture_model(self, exemplar: str):
        """The shipped texture GAN of an exemplar (:func:`gandetexture.pretrained.texture`),
        loaded once."""
        from gandetexture import pretrained

        if exemplar not in self.models:
            self.models[exemplar] = pretrained.texture(exemplar)
        return self.models[exemplar]

    def new_layer(self) -> np.ndarray:
        """The new texture layer at the image's size, centred, ``[H, W, 3] in [-1, 1]``
        (:func:`gandetexture.retexture.paint`; cached per painter, exemplar, scale, seed and
        size)."""
        s, (h, w) = self.settings, self.scene.image.shape[:2]
        quilt = s["painter"] == "quilting"
        key = (s["painter"], s["exemplar"], s["scale"] if quilt else 1.0, s["seed"], h, w)

        def paint() -> np.ndarray:
            source = s["exemplar"] if quilt else self.texture_model(s["exemplar"])
            texture = retexture.paint(source, h, w, s["seed"], key[2])
            return 2.0 * datasets.centre_texture(texture) - 1.0

        return self.caches["layer"].get(key, paint)

    def retextured(self) -> np.ndarray:
        """The structure with the new layer at the chosen strength: what
        :func:`gandetexture.retexture.retexture` makes of the same texture, seed and
        strength on this structure (the remover's single pass, ``structure=``; see
        :func:`gandetexture.retexture.blend_strength`)."""
        return retexture.blend_strength(self.structure(), self.new_layer(),
                                        self.settings["strength"])

    def filter_params(self) -> dict[str, float]:
        """The chosen filter's setting, from its grid (:data:`gandetexture.baselines.FILTERS`)."""
        return dict(baselines.FILTERS[self.settings["filter"]][1][self.settings["setting"]])

    def filtered(self) -> np.ndarray:
        """The chosen classical filter's output (cached per image, filter and setting)."""
        name, params = self.settings["filter"], self.filter_params()
        key = (self.scene.key, name, tuple(params.items()))
        return self.caches["filtered"].get(key, lambda: np.clip(
            baselines.apply(name, self.scene.image, **params), 0.0, 1.0).astype(np.float32))

    def psnr(self, image: np.ndarray) -> float | None:
        """PSNR (dB) of ``image`` against the true structure; ``None`` where none is known."""
        if self.scene.truth is None:
            return None
        return float(metrics.psnr(image[None], self.scene.truth[None])[0])

    def panels(self, names=None) -> dict[str, np.ndarray]:
        """What the playground shows, by name: ``input``, ``structure``, ``layer`` (the
        removed layer, contrast stretched by :func:`gandetexture.retexture.layer_exemplar`),
        ``retextured`` and ``filtered``; all ``[H, W, 3] in [0, 1]``."""
        makers = {"input": lambda: self.scene.image, "structure": self.structure,
                  "layer": lambda: retexture.layer_exemplar(self.layer()),
                  "retextured": self.retextured, "filtered": self.filtered}
        return {name: makers[name]() for name in (makers if names is None else names)}

    def caption(self, name: str) -> str:
        """The title of a panel, with PSNR against the truth where there is one."""
        s = self.settings

        def scored(text: str, image) -> str:
            value = self.psnr(image)
            return text + ("" if value is None else f": {value:.2f} dB against the truth")

        if name == "input":
            return scored("input", self.scene.image)
        if name == "structure":
            return scored(f"structure ({self.remover})", self.structure())
        if name == "layer":
            weights = retexture.strength_weights(self.structure())  # as the slider's strength
            return f"removed layer, strength {retexture.strength(self.layer(), weights):.3f}"
        if name == "retextured":
            how = f"quilted at scale {s['scale']:g}" if s["painter"] == "quilting" else "GAN"
            return f"{s['exemplar']} ({how}), seed {s['seed']}, strength {s['strength']:.2f}"
        if name == "filtered":
            return scored(f"{s['filter']} ({filter_label(self.filter_params())})",
                          self.filtered())
        raise ValueError(f"no panel {name!r}")

    def save(self) -> Path:
        """Write the re-textured image as a PNG into :attr:`out`, named after the image,
        exemplar, painter, seed and strength, under a name no file has (:func:`new_path`; a
        file is created only where none exists). Returns its path."""
        s = self.settings
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.scene.name).strip("_")
        stem = f"{stem}-{s['exemplar']}-{s['painter']}-seed{s['seed']}-{s['strength']:.2f}"
        self.out.mkdir(parents=True, exist_ok=True)
        data = io.png_bytes(self.retextured())
        while True:
            path = new_path(self.out, stem)
            try:
                with open(path, "xb") as file:  # "x": fails rather than replace a file
                    file.write(data)
            except FileExistsError:  # made meanwhile by someone else: take the next name
                continue
            self.status = f"saved {path}"
            return path
