"""The layout's rules, read from the import statements (docs/conventions.md):

1. A page's files share its page_id: lessons/<id>.py, text/<lang>/<id>.toml, core/views/<id>.py, tests/test_<id>*.py.
2. A view imports engines (and core/views/_shared.py) only, never another view; an engine never imports a view;
   nothing in core/ imports streamlit, altair or ui; nothing in ui/charts imports a view except for type names.
3. Pages that do not train never import torch, directly or through what they import.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from ui.registry import LESSONS, PLANNED

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ROOT / "core" / "views"


def module_file(module: str) -> Path | None:
    """The file of a module of this repository (core.views.x → core/views/x.py), or None for a library."""
    path = ROOT.joinpath(*module.split("."))
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    return None


def _type_checking_only(node: ast.AST, parents: dict) -> bool:
    """True if ``node`` sits inside an ``if TYPE_CHECKING:`` block (type names only, never run)."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


@cache
def imports_of(path: Path, runtime_only: bool = True) -> frozenset[str]:
    """Every module ``path`` imports, at any depth of the file (a function-level import counts: it runs when the
    function does); ``from package import name`` also counts package.name when that is a module. Imports under
    ``if TYPE_CHECKING:`` count only when ``runtime_only`` is False."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if runtime_only and _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if module_file(f"{node.module}.{alias.name}") is not None)
    return frozenset(found)


def reached_from(path: Path) -> set[str]:
    """Every module reachable from ``path`` through this repository's own modules (libraries are leaves)."""
    seen, stack = set(), [path]
    files = set()
    while stack:
        current = stack.pop()
        if current in files:
            continue
        files.add(current)
        for module in imports_of(current):
            seen.add(module)
            file = module_file(module)
            if file is not None:
                stack.append(file)
            # importing a.b.c also runs a/__init__.py and a/b/__init__.py
            parts = module.split(".")
            for cut in range(1, len(parts)):
                parent = module_file(".".join(parts[:cut]))
                if parent is not None:
                    stack.append(parent)
    return seen


def top(module: str) -> str:
    return module.split(".")[0]


VIEW_FILES = sorted(path for path in VIEWS.glob("*.py") if path.name != "__init__.py")
ENGINE_FILES = sorted(path for path in (ROOT / "core").glob("*.py"))
CHART_FILES = sorted((ROOT / "ui" / "charts").glob("*.py"))


# --- rule 1 -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.page_id)
def test_a_pages_files_share_its_page_id(lesson):
    page_id = lesson.page_id
    for part in (f"lessons/{page_id}.py", f"text/en/{page_id}.toml", f"text/zh/{page_id}.toml",
                 f"core/views/{page_id}.py"):
        assert (ROOT / part).is_file(), f"{page_id}: {part} is missing"
    assert list((ROOT / "tests").glob(f"test_{page_id}*.py")), f"{page_id}: no tests/test_{page_id}*.py"
    views = {module for module in imports_of(ROOT / lesson.file) if module.startswith("core.views.")}
    assert views <= {f"core.views.{page_id}"}, f"{page_id} imports another page's view: {views}"


def test_every_view_belongs_to_a_page():
    page_ids = {lesson.page_id for lesson in PLANNED}
    for path in VIEW_FILES:
        assert path.stem == "_shared" or path.stem in page_ids, f"core/views/{path.name} is no page's view"


# --- rule 2 -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda path: path.stem)
def test_a_view_imports_engines_and_shared_helpers_never_another_view(path):
    views = {module for module in imports_of(path) if module.startswith("core.views.")}
    allowed = set() if path.stem == "_shared" else {"core.views._shared"}
    assert views <= allowed, f"core/views/{path.name} imports {sorted(views - allowed)}"


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda path: path.stem)
def test_an_engine_never_imports_a_view(path):
    assert not {module for module in imports_of(path, runtime_only=False) if module.startswith("core.views")}


@pytest.mark.parametrize("path", ENGINE_FILES + VIEW_FILES, ids=lambda path: path.parent.name + "/" + path.stem)
def test_nothing_in_core_imports_streamlit_altair_or_ui(path):
    outside = {module for module in imports_of(path, runtime_only=False)
               if top(module) in ("streamlit", "altair", "ui", "classroom", "lessons")}
    assert not outside, f"{path.relative_to(ROOT)} imports {sorted(outside)}"


def test_charts_are_one_package():
    assert (ROOT / "ui" / "charts" / "__init__.py").is_file()
    assert not list((ROOT / "ui").glob("*chart*.py")) or [p.name for p in (ROOT / "ui").glob("*chart*.py")] == \
        ["chart_export.py"], "chart builders live in ui/charts/"


@pytest.mark.parametrize("path", CHART_FILES, ids=lambda path: path.stem)
def test_charts_import_views_for_type_names_only(path):
    assert not {module for module in imports_of(path) if module.startswith("core.views")}, \
        f"ui/charts/{path.name} imports a view at run time"


# --- rule 3 -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if not lesson.trains], ids=lambda l: l.page_id)
def test_pages_that_do_not_train_never_import_torch(lesson):
    reached = reached_from(ROOT / "app.py") | reached_from(ROOT / lesson.file)
    assert "torch" not in {top(module) for module in reached}, \
        f"{lesson.page_id} reaches torch through its imports"


def test_the_rules_are_checked_on_real_files():
    """The walk finds what it should: a training page does reach torch, and the app frame reaches the registry."""
    assert "torch" in {top(module) for module in reached_from(ROOT / "lessons" / "playground.py")}
    assert "ui.registry" in reached_from(ROOT / "app.py")
    assert len(VIEW_FILES) > len(LESSONS) // 2 and ENGINE_FILES
