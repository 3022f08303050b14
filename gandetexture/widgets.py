"""The course's interactive controls (ipywidgets), with their logic testable without a browser.

- :func:`texture_widget` (lesson 01): change one texture's parameters and see it, and its pair;
  the logic lives in :class:`TextureControl`.
- :func:`texture_picker` (lesson 06): pick a trained texture model and a seed, see what it
  paints; the logic lives in :func:`picker_image`.
- :func:`strength_slider` (lesson 08): slide a texture layer's strength over a structure; the
  logic lives in :func:`gandetexture.retexture.blend_strength`.
- :func:`playground` (lesson 09): an image, its texture removed, re-textured, beside a
  classical filter; the logic lives in :class:`gandetexture.playground.Playground`, and
  :func:`time_controls` measures how fast each control answers.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gandetexture import datasets, io, structures, textures


@dataclasses.dataclass
class TextureControl:
    """The state of the texture widget and what it draws.

    Attributes are the parameters of :func:`gandetexture.textures.render` plus the blend
    mode and amplitude used to put the texture on a fixed structure image.
    """

    family: str = "bricks"
    scale: float = 8.0
    orientation: float = 0.0
    contrast: float = 1.0
    hue: float = 0.08
    seed: int = 0
    blend: str = "multiplicative"
    amplitude: float = 0.35
    size: int = 128

    #: Ranges of the numeric parameters: (min, max, step).
    RANGES = {"scale": (2.0, 32.0, 0.5), "orientation": (0.0, 180.0, 5.0),
              "contrast": (0.0, 1.0, 0.05), "hue": (0.0, 1.0, 0.02),
              "amplitude": (0.0, 1.0, 0.05), "seed": (0, 99, 1)}

    def update(self, **changes) -> TextureControl:
        """Set parameters by name, checking names, ranges and choices; returns ``self``."""
        for name, value in changes.items():
            if name not in {f.name for f in dataclasses.fields(self)}:
                raise ValueError(f"unknown parameter {name!r} of the texture control")
            if name == "family" and value not in textures.FAMILIES:
                raise ValueError(f"unknown texture family {value!r}; choose one of "
                                 f"{', '.join(textures.FAMILIES)}")
            if name == "blend" and value not in datasets.BLENDS:
                raise ValueError(f"unknown blend mode {value!r}; choose one of "
                                 f"{', '.join(datasets.BLENDS)}")
            if name in self.RANGES:
                lo, hi, _ = self.RANGES[name]
                if not lo <= value <= hi:
                    raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
            setattr(self, name, value)
        return self

    def color(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """Dark and light tones from the hue (a fully saturated hue, lightened)."""
        import colorsys

        light = colorsys.hsv_to_rgb(self.hue, 0.55, 1.0)
        dark = colorsys.hsv_to_rgb(self.hue, 0.8, 0.25)
        return dark, light

    def texture(self) -> np.ndarray:
        """The texture, ``float32 [size, size, 3] in [0, 1]``."""
        return textures.render(self.family, self.size, seed=int(self.seed), scale=self.scale,
                               orientation=self.orientation, contrast=self.contrast,
                               color=self.color())

    def structure(self) -> np.ndarray:
        """The fixed structure image it is put on, ``float32 [size, size, 3] in [0, 1]``."""
        return structures.structure(self.size, seed=1)

    def textured(self) -> np.ndarray:
        """The structure with the texture on it, ``float32 [size, size, 3] in [0, 1]``."""
        return datasets.compose(self.structure(), self.texture(), self.blend, self.amplitude)

    def panel(self) -> np.ndarray:
        """Texture, structure and textured image side by side, ``[size, 3 size + 8, 3]``."""
        gap = np.ones((self.size, 4, 3), np.float32)
        return np.concatenate([self.texture(), gap, self.structure(), gap, self.textured()],
                              axis=1)

    def png(self) -> bytes:
        """:meth:`panel` encoded as PNG bytes (what the widget shows)."""
        return io.png_bytes(self.panel())


def texture_widget(control: TextureControl | None = None):
    """An ipywidgets box of sliders and drop-downs driving a :class:`TextureControl`.

    Returns
    -------
    ipywidgets.VBox
        Display it as the last expression of a cell. ``box.control`` is the control and
        ``box.image`` the image widget (useful to test it without a browser).
    """
    import ipywidgets as w

    control = control or TextureControl()
    # an explicit width keeps the panel at its own pixel size: without one the box stretches
    # the image to the output's full width and the browser blurs it
    image = w.Image(value=control.png(), format="png", width=3 * control.size + 8)
    inputs = {
        "family": w.Dropdown(options=list(textures.FAMILIES), value=control.family,
                             description="family"),
        "blend": w.Dropdown(options=list(datasets.BLENDS), value=control.blend,
                            description="blend"),
    }
    for name, (lo, hi, step) in TextureControl.RANGES.items():
        slider = w.IntSlider if name == "seed" else w.FloatSlider
        inputs[name] = slider(value=getattr(control, name), min=lo, max=hi, step=step,
                              description=name, continuous_update=False)

    def changed(change):
        control.update(**{change["owner"].description: change["new"]})
        image.value = control.png()

    for widget in inputs.values():
        widget.observe(changed, names="value")
    box = w.VBox([w.HBox([w.VBox(list(inputs.values())[:4]), w.VBox(list(inputs.values())[4:])]),
                  image])
    box.control, box.image, box.inputs = control, image, inputs
    return box


def picker_image(models: dict, name: str, seed: int, size: int) -> np.ndarray:
    """What :func:`texture_picker` shows: one ``size × size`` texture ``float32 [size, size,
    3] in [-1, 1]`` of the :class:`gandetexture.texture.TextureModel` ``models[name]``."""
    if name not in models:
        raise ValueError(f"no trained model named {name!r}; choose one of {', '.join(models)}")
    model = models[name]
    side = -(-size // model.config.scale) * model.config.scale
    return model.generate(side, side, seed=int(seed))[0]


def texture_picker(models: dict, size: int = 256, seed: int = 0):
    """A widget: pick a trained texture model (by exemplar name) and a seed, see its texture.

    Returns
    -------
    ipywidgets.VBox
        A drop-down and a seed slider above the image. ``box.image`` is the image widget and
        ``box.inputs`` the controls (useful to test it without a browser).
    """
    import ipywidgets as w

    names = list(models)
    exemplar = w.Dropdown(options=names, value=names[0], description="exemplar")
    seed_slider = w.IntSlider(value=seed, min=0, max=99, description="seed",
                              continuous_update=False)

    def png() -> bytes:
        image = picker_image(models, exemplar.value, seed_slider.value, size)
        return io.png_bytes(image, value_range=(-1.0, 1.0))

    image = w.Image(value=png(), format="png", width=size)  # its own size, not stretched

    def changed(_change) -> None:
        image.value = png()

    exemplar.observe(changed, names="value")
    seed_slider.observe(changed, names="value")
    box = w.VBox([w.HBox([exemplar, seed_slider]), image])
    box.image, box.inputs = image, {"exemplar": exemplar, "seed": seed_slider}
    return box


def strength_slider(structure: np.ndarray, layer: np.ndarray, value: float | None = None,
                    maximum: float = 0.5, mode: str = "multiplicative", width: int = 384):
    """A widget: a strength slider above the structure with the layer on it (lesson 08).

    Parameters
    ----------
    structure : np.ndarray
        ``float32 [H, W, 3] in [0, 1]``.
    layer : np.ndarray
        ``float32 [H, W, 3] in [-1, 1]``, a texture layer (:mod:`gandetexture.retexture`).
    value : float, optional
        Starting strength (default: the layer's own, as
        :func:`gandetexture.retexture.retexture` weighs it).
    width : int
        Width of the image on the page, in pixels.

    Returns
    -------
    ipywidgets.VBox
        ``box.image`` is the image widget and ``box.inputs`` the slider (useful to test it
        without a browser).
    """
    import ipywidgets as w

    from gandetexture import retexture

    if value is None:
        value = retexture.strength(layer, retexture.strength_weights(structure, mode))
    slider = w.FloatSlider(value=min(value, maximum), min=0.0, max=maximum, step=0.01,
                           description="strength", continuous_update=False)

    def png(strength: float) -> bytes:
        return io.png_bytes(retexture.blend_strength(structure, layer, strength, mode))

    image = w.Image(value=png(slider.value), format="png", width=width)

    def changed(change) -> None:
        image.value = png(change["new"])

    slider.observe(changed, names="value")
    box = w.VBox([slider, image])
    box.image, box.inputs = image, {"strength": slider}
    return box


def playground(pg, width: int = 256):
    """Lesson 09's playground: every control calls one method of
    :class:`gandetexture.playground.Playground` ``pg``, and only the pictures it changes are
    drawn again. A failing action (a file that is no image, a folder without a remover) puts
    its one-line message in the status line instead of a traceback.

    Returns
    -------
    ipywidgets.VBox
        ``box.inputs`` (the controls, by name), ``box.images`` and ``box.titles`` (by panel:
        ``input``, ``structure``, ``layer``, ``retextured``, ``filtered``), ``box.status``
        (the status line) and ``box.playground`` (``pg``): what a test drives.
    """
    import contextlib
    import html
    import time

    import ipywidgets as w

    from gandetexture import baselines
    from gandetexture import playground as play

    s = pg.settings

    def fits(px: int = width) -> dict:  # a control as wide as a picture, labels aligned
        return {"layout": w.Layout(width=f"{px}px"), "style": {"description_width": "64px"}}

    inputs = {
        "image": w.Dropdown(options=list(pg.sources), value=pg.scene.name, description="image",
                            **fits(2 * width)),
        "upload": w.FileUpload(accept="image/*", multiple=False, description="your image"),
        "remover": w.Dropdown(options=list(pg.removers), value=pg.remover,
                              description="remover", **fits()),
        "folder": w.Text(placeholder="a run folder of train-remover", description="run folder",
                         **fits()),
        "load": w.Button(description="load remover"),
        "exemplar": w.Dropdown(options=play.EXEMPLARS, value=s["exemplar"],
                               description="exemplar", **fits()),
        "painter": w.Dropdown(options=play.PAINTERS, value=s["painter"], description="painter",
                              **fits()),
        "scale": w.Dropdown(options=play.SCALES, value=s["scale"], description="scale",
                            **fits()),
        "seed": w.IntSlider(value=s["seed"], min=0, max=play.MAX_SEED, description="seed",
                            continuous_update=False, **fits()),
        "strength": w.FloatSlider(value=s["strength"], min=0.0, max=play.MAX_STRENGTH,
                                  step=0.01, description="strength", continuous_update=False,
                                  **fits()),
        "filter": w.Dropdown(options=list(baselines.FILTERS), value=s["filter"],
                             description="filter", **fits()),
        "setting": w.SelectionSlider(description="setting", continuous_update=False,
                                     options=[("-", 0)], readout=False, **fits()),
        "save": w.Button(description="save result"),
    }
    names = ("input", "structure", "layer", "retextured", "filtered")
    images = {name: w.Image(format="png", width=width) for name in names}
    titles = {name: w.HTML(layout=w.Layout(width=f"{width}px", height="2.6em"))
              for name in names}  # two lines each, so the pictures stay level
    status = w.HTML()
    quiet = []  # non-empty while the box sets its own controls

    @contextlib.contextmanager
    def hushed():
        quiet.append(1)
        try:
            yield
        finally:
            quiet.pop()

    def settings_of_filter() -> None:
        grid = baselines.FILTERS[pg.settings["filter"]][1]
        with hushed():
            inputs["setting"].options = [(play.filter_label(p), i) for i, p in enumerate(grid)]
            inputs["setting"].value = pg.settings["setting"]

    def draw(*panels: str) -> None:
        for name, image in pg.panels(panels).items():
            images[name].value = io.png_bytes(image, compress_level=1)  # 7× faster
            titles[name].value = (f"<div style='font-size: 0.9em; line-height: 1.3'><b>"
                                  f"{html.escape(pg.caption(name))}</b></div>")

    def action(work, *panels: str):
        """A control's callback: ``work(value)``, then redraw ``panels``; timed, and any
        error shown in the status line."""
        def callback(change=None) -> None:
            if quiet:
                return
            start = time.perf_counter()
            try:
                work(change["new"] if isinstance(change, dict) else change)
                draw(*panels)
                line = f"{pg.status} · {time.perf_counter() - start:.2f} s"
            except Exception as error:  # a learner's mistake, or a filter that fails
                line = f"⚠ {str(error).splitlines()[0] if str(error) else type(error).__name__}"
            status.value = html.escape(line)
        return callback

    def uploaded(value) -> None:
        try:
            scene = pg.upload(value)
        finally:  # empty the upload widget, so the same file can be sent again
            with hushed():
                inputs["upload"].value = ()
        if scene is not None:
            with hushed():
                inputs["image"].options = list(pg.sources)
                inputs["image"].value = pg.scene.name

    def loaded(_button) -> None:
        label = pg.add_remover(inputs["folder"].value)
        with hushed():
            inputs["remover"].options = list(pg.removers)
            inputs["remover"].value = label
        pg.status = f"loaded the remover of {label}"

    def changed_filter(name) -> None:
        pg.update(filter=name)
        settings_of_filter()

    def saved(_button) -> None:
        pg.save()

    everything = names
    inputs["image"].observe(action(pg.choose, *everything), names="value")
    inputs["upload"].observe(action(uploaded, *everything), names="value")
    inputs["remover"].observe(action(pg.use_remover, "structure", "layer", "retextured"),
                              names="value")
    inputs["load"].on_click(action(loaded, "structure", "layer", "retextured"))
    for name in ("exemplar", "painter", "scale", "seed", "strength"):
        inputs[name].observe(action(lambda value, name=name: pg.update(**{name: value}),
                                    "retextured"), names="value")
    inputs["filter"].observe(action(changed_filter, "filtered"), names="value")
    inputs["setting"].observe(action(lambda i: pg.update(setting=i), "filtered"), names="value")
    inputs["save"].on_click(action(saved))
    settings_of_filter()
    action(lambda _value: None, *everything)()  # the first pictures
    status.value = html.escape(pg.status)

    def figure(name: str):
        return w.VBox([titles[name], images[name]], layout=column())

    def column():
        return w.Layout(width=f"{width + 8}px")

    box = w.VBox([
        w.HBox([inputs["image"], inputs["upload"]]),
        w.HBox([inputs["remover"], inputs["folder"], inputs["load"]]),
        status,
        w.HBox([figure(name) for name in ("input", "structure", "layer")]),
        w.HBox([w.VBox([inputs[n] for n in ("exemplar", "painter", "scale")], layout=column()),
                w.VBox([inputs[n] for n in ("seed", "strength", "save")], layout=column()),
                w.VBox([inputs["filter"], inputs["setting"]], layout=column())]),
        w.HBox([figure("retextured"), w.Box(layout=column()), figure("filtered")]),
    ])
    box.inputs, box.images, box.titles, box.status, box.playground = (inputs, images, titles,
                                                                      status, pg)
    return box


def time_controls(box, changes=None) -> list[dict]:
    """How long each control of a :func:`playground` box takes to answer.

    Each ``(control, value)`` is set as a learner sets it (the callback runs before the
    assignment returns), back to its old value, and to ``value`` again: ``first_s`` is what
    a new setting costs, ``again_s`` what it costs once the playground holds it. A button
    (``value`` None) is clicked twice instead. The defaults change every control but the
    upload, the run folder and the save button; at the end every control is set back to
    what it was, and the status line to what it said.

    Returns
    -------
    list of dict
        ``{"control", "value", "first_s", "again_s", "status"}`` in order.
    """
    import time

    inputs = box.inputs
    if changes is None:
        others = [o for o in inputs["image"].options if o != inputs["image"].value]
        changes = [("strength", 0.25), ("seed", 1), ("exemplar", "grass"), ("scale", 0.5),
                   ("painter", "GAN"), ("painter", "quilting"), ("filter", "tv"),
                   ("setting", 0), ("image", others[0])]

    def timed(control, value=None) -> float:
        start = time.perf_counter()
        control.click() if value is None else setattr(control, "value", value)
        return time.perf_counter() - start

    rows, olds, line = [], [], box.status.value
    for name, value in changes:
        control = inputs[name]
        if value is None:  # a button
            first, again = timed(control), timed(control)
        else:
            olds.append((control, control.value))
            first = timed(control, value)
            control.value = olds[-1][1]
            again = timed(control, value)
        rows.append({"control": name, "value": value, "first_s": first, "again_s": again,
                     "status": box.status.value})
    for control, old in reversed(olds):
        control.value = old
    box.status.value = line
    return rows
