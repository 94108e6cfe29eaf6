"""Entry point: `ketamine-desktop` / `python -m ketamine_desktop` (also the PyInstaller entry)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from ketamine_desktop.cli import run

    args = list(sys.argv[1:] if argv is None else argv)
    status = run(args)
    if status is not None:
        return status
    from ketamine_desktop.app import run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
