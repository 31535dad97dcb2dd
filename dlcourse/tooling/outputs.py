"""Safe outputs for the commands that write: nothing lost, nothing deleted that a command did not make.

Every writing command checks its inputs first, then its output with :func:`check_folder` or
:func:`check_file` (which write nothing), and only then writes:

- an output **folder** must be new, empty, or one that the same command wrote before: such a
  folder holds the marker file ``.dlcourse-build.json``, which lists what the command created
  there. A folder holding anything else (the notebook sources, a file someone put there) is
  refused, so ``--out notebooks`` cannot overwrite the committed notebooks. On a rebuild only the
  entries the marker lists are removed (:class:`OutputFolder`). A command may name *artefacts*:
  files that something else adds to its folder on purpose (the browser test's
  ``build/slides/report.json``); they count as the folder's own and are kept on a rebuild;
- an output **file** (``bench.json``, ``budget.json``) must be new or one that the same command
  wrote (its JSON says ``"generated_by": "python -m dlcourse <command>"``).

A path that is a file where a folder is expected (or the reverse), or that cannot be written,
raises :class:`~dlcourse.tooling.errors.OutputError`, which the command line prints as one ``✗``
line with exit code 1.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from dlcourse.tooling.errors import OutputError

MARKER = ".dlcourse-build.json"


def generated_by(command: str) -> str:
    """The signature a command leaves in what it writes: ``python -m dlcourse <command>``."""
    return f"python -m dlcourse {command}"


def _require_writable(folder: Path, what: str, path: Path) -> None:
    """Fail unless ``folder`` (existing or not) could be created and written into, for ``path``."""
    existing = next(parent for parent in (folder, *folder.parents) if parent.exists())
    if not existing.is_dir():
        raise OutputError(
            f"{what}: expected a path inside a folder, got {path} (under the file {existing})"
        )
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise OutputError(
            f"{what}: expected a writable location, got {path} ({error.strerror})"
        ) from None


def _read_marker(folder: Path) -> dict | None:
    marker = folder / MARKER
    if not marker.is_file():
        return None
    try:
        content = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def check_folder(
    out: Path, command: str, inputs: Iterable[Path] = (), artefacts: Iterable[str] = ()
) -> Path:
    """Check that ``command`` may write into the folder ``out``; write nothing.

    Args:
        out: the output folder (need not exist).
        command: the command's name, e.g. ``"student"``.
        inputs: the files the command reads; none may lie inside ``out``.
        artefacts: names of files that others add to the folder on purpose (not foreign).

    Returns:
        ``out`` as a ``Path``.

    Raises:
        OutputError: ``out`` is a file, cannot be written, holds an input, or holds files that
            ``command`` did not create.
    """
    out = Path(out)
    what = f"{command} --out"
    if out.exists() and not out.is_dir():
        raise OutputError(f"{what}: expected a folder, got the file {out}")
    resolved = out.resolve()
    for source in inputs:
        if resolved in Path(source).resolve().parents:
            raise OutputError(
                f"{what}: expected a folder apart from the inputs, got {out}, which holds {source}"
            )
    _require_writable(out, what, out)
    if out.is_dir():
        marker = _read_marker(out)
        entries = sorted(path.name for path in out.iterdir() if path.name != MARKER)
        owned = set(marker.get("entries", [])) if marker else set()
        owned |= {name for name in artefacts if (out / name).is_file()}
        if marker and marker.get("generated_by") != generated_by(command):
            raise OutputError(
                f"{what}: expected a folder that `{generated_by(command)}` wrote, got {out}, "
                f"which `{marker.get('generated_by')}` wrote; choose another folder"
            )
        foreign = [name for name in entries if name not in owned]
        if foreign:
            raise OutputError(
                f"{what}: expected an empty folder or one that `{generated_by(command)}` wrote, "
                f"got {out}, which holds {len(foreign)} entries it did not create (such as "
                f"{foreign[0]!r}); choose another folder (or empty this one yourself, e.g. "
                "`make clean`, if nothing in it is yours)"
            )
    return out


class OutputFolder:
    """The output folder of a command, checked at construction, written inside ``with``.

    On entering, the folder is created and what the command wrote there last time is removed;
    on leaving (also after an error), the marker lists every entry the folder then holds, which
    the command created. ``artefacts`` (file names) are files that others add to the folder on
    purpose: accepted, never listed in the marker, and kept on a rebuild.
    """

    def __init__(
        self, out: Path, command: str, inputs: Iterable[Path] = (), artefacts: Iterable[str] = ()
    ) -> None:
        self.command = command
        self.artefacts = frozenset(artefacts)
        self.path = check_folder(out, command, inputs, self.artefacts)

    def __enter__(self) -> Path:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            previous = _read_marker(self.path) or {}
            for name in set(previous.get("entries", [])) - self.artefacts:
                entry = self.path / name
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                elif entry.exists() or entry.is_symlink():
                    entry.unlink()
            self._write_marker()
        except OSError as error:
            raise OutputError(
                f"{self.command} --out: expected a writable folder, got {self.path} "
                f"({error.strerror})"
            ) from None
        return self.path

    def __exit__(self, *exc_info) -> None:
        self._write_marker()

    def _write_marker(self) -> None:
        entries = sorted(
            path.name
            for path in self.path.iterdir()
            if path.name != MARKER and path.name not in self.artefacts
        )
        marker = {"generated_by": generated_by(self.command), "entries": entries}
        (self.path / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def check_file(out: Path, command: str) -> Path:
    """Check that ``command`` may write the JSON file ``out``; write nothing.

    Raises:
        OutputError: ``out`` is a folder, is not a ``.json`` path, cannot be written, or is a
            file that ``command`` did not write.
    """
    out = Path(out)
    what = f"{command} --out"
    if out.is_dir():
        raise OutputError(f"{what}: expected a .json file path, got the folder {out}")
    if out.suffix != ".json":
        raise OutputError(f"{what}: expected a .json file path, got {out}")
    _require_writable(out.parent, what, out)
    if out.exists():
        try:
            content = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            content = None
        if not isinstance(content, dict) or content.get("generated_by") != generated_by(command):
            raise OutputError(
                f"{what}: expected a new file or one that `{generated_by(command)}` wrote, "
                f"got {out}, which it did not write; choose another path"
            )
    return out


def write_json(out: Path, command: str, content: dict) -> Path:
    """Write ``content`` (signed with ``generated_by``) to ``out``, checked by :func:`check_file`."""
    out = check_file(out, command)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        signed = {"generated_by": generated_by(command), **content}
        out.write_text(json.dumps(signed, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise OutputError(
            f"{command} --out: expected a writable file, got {out} ({error.strerror})"
        ) from None
    return out
