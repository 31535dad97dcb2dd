"""Allow ``python -m dlcourse <command>``."""

from dlcourse.cli import main

raise SystemExit(main())
