"""PyInstaller runtime hook: give a windowed program somewhere to write.

A windowed (console=False) Windows executable starts with sys.stdout and sys.stderr set to None, and so
does any program started with those file descriptors closed. Writing "self-test ok" or a command's output
would then raise instead of returning the exit status. With this hook the text goes nowhere and the exit
status still says what happened (`start /wait ketamine-desktop.exe --self-test` then `%errorlevel%`);
ketamine-desktop-cli.exe, the console twin, is the way to read the text.
"""

import os
import sys

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the process's life
