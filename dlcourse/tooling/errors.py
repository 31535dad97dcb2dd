"""The errors the course build reports as one ``✗`` line (no traceback) and exit code 1.

Kept free of heavy imports, so that ``python -m dlcourse doctor`` works without the ``build`` extra.
"""


class BuildError(RuntimeError):
    """A build command cannot go on; the message says what is wrong and what to do."""


class NotebookError(BuildError):
    """A notebook could not be built or checked; the message says which cell and what to do."""


class OutputError(BuildError):
    """An output path a command was given cannot be written safely; nothing was written."""
