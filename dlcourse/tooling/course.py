"""The course's framing (title, day, institution, academic year, instructor) from ``course.toml``.

One file at the repository root, read by every build: every deck's title slide and footer and the
slide index come from it, and ``repository`` (the course's Git URL) is the one place the links to
the repository (Colab) are built from. :func:`load_course` reads and checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from dlcourse.tooling.errors import BuildError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

COURSE_FILE = "course.toml"


@dataclass(frozen=True)
class Course:
    """What the decks and the index say about the course."""

    title: str
    day: str
    institution: str
    academic_year: str
    instructor: str
    repository: str

    @property
    def heading(self) -> str:
        """``"Day 3 — Deep Learning Foundations (PyTorch)"``: the index title and the footer."""
        return f"{self.day} — {self.title}" if self.day else self.title

    @property
    def where(self) -> str:
        """``"institution · academic year"`` (the parts that are set): the title slide's line."""
        return " · ".join(part for part in (self.institution, self.academic_year) if part)

    @property
    def byline(self) -> str:
        """``"institution · academic year · instructor"`` (the parts that are set)."""
        return " · ".join(
            part for part in (self.institution, self.academic_year, self.instructor) if part
        )


def course_file() -> Path:
    """The repository's ``course.toml``."""
    from dlcourse.tooling.pipeline import repository_root

    return repository_root() / COURSE_FILE


def load_course(path: Path | None = None) -> Course:
    """Read the ``[course]`` table of ``path`` (default: the repository's ``course.toml``).

    Raises:
        BuildError: the file is missing, is not TOML, a key is missing or not a string, or
            ``repository`` is not an ``https://`` URL.
    """
    path = Path(path) if path is not None else course_file()
    if not path.is_file():
        raise BuildError(f"course config: expected a file at {path}, got none")
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("course")
    except tomllib.TOMLDecodeError as error:
        raise BuildError(f"course config {path}: expected TOML, got {error}") from error
    if not isinstance(table, dict):
        raise BuildError(f"course config {path}: expected a [course] table, got none")
    values = {}
    for field in fields(Course):
        value = table.get(field.name)
        if not isinstance(value, str):
            raise BuildError(
                f"course config {path}: expected a string for {field.name!r}, got {value!r}"
            )
        values[field.name] = value.strip()
    if not values["repository"].startswith("https://"):
        raise BuildError(
            f"course config {path}: expected an https:// URL for 'repository', "
            f"got {values['repository']!r}"
        )
    return Course(**values)
