"""The package's layout rules (issue 10): small modules, one home for each idea, and lessons
that only use names the package has. Cheap: source text and ASTs, nothing is trained."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import gandetexture

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gandetexture"
MODULES = sorted(PACKAGE.glob("*.py"))
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
MAX_LINES = 450


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            yield node, name


def test_the_package_has_modules():
    assert {"cli.py", "io.py", "exemplars.py", "networks.py", "steps.py", "training.py"} <= {
        p.name for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_is_over_450_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines (at most {MAX_LINES})"


def test_argparse_is_imported_only_by_the_command_line_module():
    users = set()
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] == "argparse" for name in names):
                users.add(path.name)
    assert users == {"cli.py"}


def test_receptive_field_is_defined_once():
    definitions = [_where(path, node) for path in MODULES for node in ast.walk(_tree(path))
                   if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                   and node.name == "receptive_field"]
    assert len(definitions) == 1, definitions
    assert definitions[0].startswith("gandetexture/networks.py:")


def _is_uint8(node: ast.AST) -> bool:
    """``np.uint8``, ``tf.uint8``, ``"uint8"`` or ``uint8``."""
    return (isinstance(node, ast.Attribute) and node.attr == "uint8") or \
        (isinstance(node, ast.Name) and node.id == "uint8") or \
        (isinstance(node, ast.Constant) and node.value == "uint8")


def _is_255(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) \
        and node.value in (255, 256)


def _uint8_nodes(tree: ast.AST) -> list[ast.AST]:
    """Code that turns numbers into 8-bit pixels: a cast to uint8 (``astype``, ``tf.cast``,
    ``convert_image_dtype``, ``np.asarray(..., np.uint8)``...) or a product with 255."""
    found = [node for node, _ in _calls(tree)
             if any(_is_uint8(arg) for arg in [*node.args, *(k.value for k in node.keywords)])]
    return found + [node for node in ast.walk(tree)
                    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
                    and (_is_255(node.left) or _is_255(node.right))]


def float_to_uint8_sites(path: Path) -> list[str]:
    return [_where(path, node) for node in _uint8_nodes(_tree(path))]


def test_float_to_uint8_conversion_lives_only_in_io():
    outside = [site for path in MODULES if path.name != "io.py"
               for site in float_to_uint8_sites(path)]
    assert not outside, f"convert with gandetexture.io.to_uint8 instead: {outside}"
    # the rule sees the one conversion it protects (and would see a copy of it)
    assert float_to_uint8_sites(PACKAGE / "io.py")


def test_the_uint8_detector_is_precise():
    """Reading pixels *in* (uint8 / 255) is no conversion to uint8; writing them is."""
    def found(source: str) -> bool:
        return bool(_uint8_nodes(ast.parse(source)))

    assert not found("x = image.astype(np.float32) / 255.0\nif a.dtype == np.uint8: pass")
    assert not found("n = rng.integers(0, 255, (4, 4))\ny = x / 255 * 2")
    assert found("y = (x * 255).round()")
    assert found("y = np.clip(x, 0, 1).astype(np.uint8)")
    assert found("y = tf.cast(x, dtype=tf.uint8)")
    assert found("y = Image.fromarray((255.0 * x).astype('uint8'))")


def _is_crop_room(node: ast.AST) -> bool:
    """``a - b + 1``: the number of places a crop of side ``b`` fits in ``a`` pixels."""
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) \
        and isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Sub) \
        and isinstance(node.right, ast.Constant) and node.right.value == 1


def random_crop_sites(path: Path) -> list[str]:
    """Random crop positions (``rng.integers(0, h - size + 1)``, ``stateless_uniform(..., 0,
    h - size + 1)``...) and TensorFlow's random-crop ops."""
    sites = []
    for node, name in _calls(_tree(path)):
        random_draw = name in {"integers", "randint", "uniform", "stateless_uniform"}
        if random_draw and any(_is_crop_room(arg) for arg in node.args):
            sites.append(_where(path, node))
        elif name in {"random_crop", "stateless_random_crop"}:
            sites.append(_where(path, node))
    return list(dict.fromkeys(sites))


def test_random_crops_live_only_in_exemplars():
    outside = [site for path in MODULES if path.name != "exemplars.py"
               for site in random_crop_sites(path)]
    assert not outside, f"crop with gandetexture.exemplars.random_crops instead: {outside}"
    assert random_crop_sites(PACKAGE / "exemplars.py")  # the rule sees the helper itself


# ------------------------------------------------------------------ lessons use real names

def _import_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


class _LessonNames:
    """Walk a lesson's top-level statements in order, tracking which names are bound to
    gandetexture modules, and collect the names that do not exist."""

    def __init__(self, path: Path):
        self.path, self.bound, self.problems = path, {}, []

    def run(self) -> list[str]:
        for statement in _tree(self.path).body:
            self.imports(statement)
            self.attributes(statement)
            self.assignments(statement)
        return self.problems

    def problem(self, node: ast.AST, text: str) -> None:
        self.problems.append(f"{self.path.name}:{node.lineno}: {text}")

    def imports(self, statement: ast.stmt) -> None:
        for node in ast.walk(statement):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != "gandetexture":
                        continue
                    module = _import_module(alias.name)
                    if module is None:
                        self.problem(node, f"no module {alias.name}")
                    elif alias.asname:
                        self.bound[alias.asname] = module
                    else:
                        self.bound["gandetexture"] = gandetexture
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.split(".")[0] == "gandetexture":
                module = _import_module(node.module)
                if module is None:
                    self.problem(node, f"no module {node.module}")
                    continue
                for alias in node.names:
                    value = _import_module(f"{node.module}.{alias.name}")
                    if value is None and not hasattr(module, alias.name):
                        self.problem(node, f"`from {node.module} import {alias.name}`: "
                                           f"{node.module} has no {alias.name}")
                        continue
                    value = value if value is not None else getattr(module, alias.name)
                    self.bound[alias.asname or alias.name] = value

    def attributes(self, statement: ast.stmt) -> None:
        for node in ast.walk(statement):
            if isinstance(node, ast.Attribute):
                self.resolve(node)

    def resolve(self, node: ast.AST):
        """The module ``node`` names, checking each ``module.attr`` on the way (or None)."""
        if isinstance(node, ast.Name):
            value = self.bound.get(node.id)
            return value if _is_module(value) else None
        if not isinstance(node, ast.Attribute):
            return None
        parent = self.resolve(node.value)
        if parent is None:
            return None
        value = _import_module(f"{parent.__name__}.{node.attr}")
        if value is None and not hasattr(parent, node.attr):
            self.problem(node, f"{parent.__name__} has no {node.attr}")
            return None
        value = value if value is not None else getattr(parent, node.attr)
        return value if _is_module(value) else None

    def assignments(self, statement: ast.stmt) -> None:
        """A name assigned at the top level is no longer the module it was."""
        targets = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign | ast.For):
            targets = [statement.target]
        elif isinstance(statement, ast.FunctionDef | ast.ClassDef):
            self.bound.pop(statement.name, None)
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    self.bound.pop(node.id, None)


def _is_module(value) -> bool:
    return type(value).__name__ == "module" and value.__name__.startswith("gandetexture")


def test_the_lesson_checker_finds_missing_names(tmp_path):
    lesson = tmp_path / "99_probe.py"
    lesson.write_text("import gandetexture as gdt\n"
                      "from gandetexture import networks, spatial\n"
                      "from gandetexture import training as t\n"
                      "from gandetexture.io import to_uint8, nope\n"
                      "gdt.setup('smoke', 0)\n"
                      "gdt.training.fit\n"
                      "networks.build_remover\n"
                      "networks.remover_width\n"
                      "t.make_gan_step\n"
                      "networks = {'a': 1}\n"
                      "networks.anything\n")
    problems = [p.split(": ", 1)[1] for p in _LessonNames(lesson).run()]
    assert problems == ["`from gandetexture import spatial`: gandetexture has no spatial",
                        "`from gandetexture.io import nope`: gandetexture.io has no nope",
                        "gandetexture.networks has no remover_width",
                        "gandetexture.training has no make_gan_step"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_uses_only_names_the_package_has(path):
    problems = _LessonNames(path).run()
    assert not problems, "\n".join(problems)
