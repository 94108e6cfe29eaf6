"""Entry point: `ketamine-desktop` / `python -m ketamine_desktop` (also the PyInstaller entry).

The top of the import graph: the headless commands (cli/), the self-test and the window (app.py) are
chosen here, so none of them imports another's entry.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ketamine_desktop.cli.common import Streams

EXIT_MISSING_X11_LIBRARIES = 1


def main(argv: Sequence[str] | None = None, streams: Streams | None = None) -> int:
    from ketamine_desktop.cli import run

    args = list(sys.argv[1:] if argv is None else argv)
    launch = run(args, streams)
    if isinstance(launch, int):
        return launch
    if launch.self_test:
        from ketamine_desktop.self_test import run_self_test

        return run_self_test(streams or Streams.standard())
    from ketamine_desktop.x11_check import xcb_problem

    problem = xcb_problem()  # before Qt loads its platform plugin, which would abort the process
    if problem is not None:
        sys.stderr.write(problem + "\n")
        return EXIT_MISSING_X11_LIBRARIES
    from ketamine_desktop.app import run_app

    return run_app(launch.data_dir)


if __name__ == "__main__":
    sys.exit(main())
