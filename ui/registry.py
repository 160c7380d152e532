"""The one ordered list of lessons. Navigation, the home page's map, previous/next and the tests all derive from it.

A lesson is registered only once its page file and its text catalogues exist, so a planned page never shows up as a
placeholder. Its ``url_path`` is public (lecturers send links to students): never rename one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Lesson:
    url_path: str  # public, stable: /cross-entropy
    section: str  # key of the section title in text/<lang>/common.toml
    trains: bool = True  # False: the page never imports torch, not even through what it imports (tests check it)

    @property
    def page_id(self) -> str:
        """Module and text-catalogue name: cross-entropy → cross_entropy."""
        return self.url_path.replace("-", "_")

    @property
    def file(self) -> str:
        """The page file. The folder is lessons/, not pages/: with a pages/ folder beside app.py Streamlit serves the
        first visitor of a fresh server in its legacy folder mode (the page without the app around it, or "Page not
        found" for a hyphenated address) until some session calls st.navigation."""
        return f"lessons/{self.page_id}.py"

    def exists(self) -> bool:
        """A lesson is ready once its page and its catalogue in every language exist (a page whose text is still
        being written must not take the navigation of every other page down with it)."""
        catalogues = [ROOT / "text" / lang / f"{self.page_id}.toml" for lang in ("en", "zh")]
        return (ROOT / self.file).is_file() and all(path.is_file() for path in catalogues)


SECTIONS = ("foundations", "optimization", "training", "health")

PLANNED = (
    Lesson("loss-and-optimizer", "foundations", trains=False),
    Lesson("cross-entropy", "foundations", trains=False),
    Lesson("softmax-sigmoid", "foundations", trains=False),
    Lesson("choosing-the-loss", "foundations"),
    Lesson("optimizers", "optimization", trains=False),
    Lesson("input-normalization", "optimization", trains=False),
    Lesson("batch-size", "optimization", trains=False),
    Lesson("convergence", "optimization"),
    Lesson("playground", "training"),
    Lesson("train-vs-val", "training"),
    Lesson("parameters-vs-hyperparameters", "training"),
    Lesson("hidden-layers", "training"),
    Lesson("end-to-end", "training"),
    Lesson("deep-vs-shallow", "training"),
    Lesson("initialization", "health"),
    Lesson("vanishing-exploding", "health"),
    Lesson("gradient-clipping", "health"),
    Lesson("normalization-layers", "health"),
    Lesson("residual", "health"),
)

LESSONS = tuple(lesson for lesson in PLANNED if lesson.exists())


def lesson_by_id(page_id: str) -> Lesson:
    for lesson in LESSONS:
        if lesson.page_id == page_id:
            return lesson
    raise KeyError(f"no registered lesson {page_id!r}")


def neighbours(page_id: str) -> tuple[Lesson | None, Lesson | None]:
    """(previous, next) in lecture order; None at either end."""
    index = LESSONS.index(lesson_by_id(page_id))
    previous = LESSONS[index - 1] if index > 0 else None
    following = LESSONS[index + 1] if index + 1 < len(LESSONS) else None
    return previous, following


def position(page_id: str) -> tuple[int, int]:
    """(n, total): this lesson is the n-th of total, counting from 1."""
    return LESSONS.index(lesson_by_id(page_id)) + 1, len(LESSONS)
