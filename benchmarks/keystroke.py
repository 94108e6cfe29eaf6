"""Per-keystroke latency: typing a weight into the real main window until the regimen card is repainted.

    .venv/bin/python benchmarks/keystroke.py [--keystrokes 1000] [--warmup 50] [--platform offscreen|xcb]

The real window is built as the app builds it (`app.build_main_window`), shown, and a protocol with an
infusion is chosen. Then weights are typed into the weight field one key at a time with QTest (a real key
event through QLineEdit): select all, then each character, then a Backspace and the character again.
Weights are spread over the library's plausible range (never a number written here). For each keystroke:
- domain: the time inside `compute_regimen` (wrapped where the plan store calls it; 0 calls when the text
  is not yet a usable weight, e.g. "4" or "4." below the library's minimum);
- to card: key press to the regimen card repainted (key event, strict parse, plan command, domain call,
  every view re-reading what changed, then a synchronous `card.repaint()`);
- to screen: the same plus processing every pending event, i.e. every other dirty widget painted too.
Median and p99 (nearest rank) over the measured keystrokes; the target is p99 under 16 ms (one frame).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchlib import machine, median, percentile
from display import virtual_display


def weights_to_type(count: int) -> list[str]:
    """`count` weights evenly over the library's plausible range, as typed text with one decimal."""
    from ketamine_desktop.cli.common import load_default_library

    rules = load_default_library().document.weight
    low, high = rules.plausible_min_kg, rules.plausible_max_kg
    step = (high - low) / max(count - 1, 1)
    return [str((low + step * index).quantize(Decimal("0.1"))) for index in range(count)]


def run(keystrokes: int, warmup: int) -> dict[str, list[float]]:
    from PySide6.QtCore import QStandardPaths, Qt
    from PySide6.QtTest import QTest

    import ketamine_desktop.state.plan as plan_module
    from ketamine_desktop.app import application, build_main_window
    from ketamine_desktop.cli.common import load_default_library
    from ketamine_desktop.domain.clock import SystemClock
    from ketamine_desktop.state.settings import ViewSettings

    domain_ns: list[int] = []
    real_compute = plan_module.compute_regimen

    def timed_compute(*args: object, **kwargs: object) -> object:
        started = time.perf_counter_ns()
        try:
            return real_compute(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            domain_ns.append(time.perf_counter_ns() - started)

    plan_module.compute_regimen = timed_compute  # type: ignore[assignment]

    library = load_default_library()
    app = application()
    QStandardPaths.setTestModeEnabled(True)
    samples: dict[str, list[float]] = {"domain": [], "to card": [], "to screen": []}
    with tempfile.TemporaryDirectory(prefix="ketamine-keystroke-") as folder:
        settings = ViewSettings(Path(folder) / "settings.ini")
        window, _plan = build_main_window(app, library, settings, SystemClock())
        window.show()
        QTest.qWaitForWindowExposed(window)
        form, card = window.dosing.form, window.dosing.card
        protocol = next(p for p in library.document.protocols if p.infusion is not None)
        form.protocol_combo.setCurrentIndex(form.protocol_combo.findData(protocol.id))
        form.protocol_combo.activated.emit(form.protocol_combo.currentIndex())
        edit = form.weight.edit
        edit.setFocus()
        app.processEvents()

        def press(key: str | Qt.Key, measured: bool) -> None:
            before = len(domain_ns)
            started = time.perf_counter_ns()
            QTest.keyClick(edit, key)
            card.repaint()
            carded = time.perf_counter_ns()
            app.processEvents()
            screened = time.perf_counter_ns()
            if measured:
                samples["domain"].append(sum(domain_ns[before:]) / 1e6)
                samples["to card"].append((carded - started) / 1e6)
                samples["to screen"].append((screened - started) / 1e6)

        typed = 0
        weights = weights_to_type(97)
        while typed < warmup + keystrokes:
            for text in weights:
                QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
                for character in text:
                    press(character, typed >= warmup)
                    typed += 1
                press(Qt.Key.Key_Backspace, typed >= warmup)
                press(text[-1], typed >= warmup + 1)
                typed += 2
                if typed >= warmup + keystrokes:
                    break
        if window.dosing.card.pump_rate.text() == "":
            raise SystemExit("the card shows no pump rate: the keystrokes did not reach the regimen")
        window.close()
        window.deleteLater()
        app.processEvents()
    plan_module.compute_regimen = real_compute
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keystrokes", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--platform", choices=("offscreen", "xcb"), default="offscreen")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    with ExitStack() as stack:
        os.environ["QT_QPA_PLATFORM"] = args.platform
        if args.platform == "xcb":
            os.environ["DISPLAY"] = stack.enter_context(virtual_display())
        samples = run(args.keystrokes, args.warmup)
    computed = [value for value in samples["domain"] if value > 0]
    print(
        f"{len(samples['to card'])} keystrokes on {args.platform} after {args.warmup} warm-up "
        f"({len(computed)} computed a regimen)"
    )
    rows = [
        ("domain call (when one ran)", computed),
        ("keystroke to card repainted", samples["to card"]),
        ("keystroke to every repaint", samples["to screen"]),
    ]
    for label, values in rows:
        print(
            f"{label:28} median {median(values):6.2f} ms  p99 {percentile(values, 0.99):6.2f} ms  "
            f"max {max(values):6.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
