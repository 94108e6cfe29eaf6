"""`ketamine-desktop --self-test`: the library, the real main window offscreen, one regimen through the
window's own path, and a temporary record store written, read back, verified and closed."""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from pathlib import Path

from ketamine_desktop.cli.common import Streams


def _headless_if_needed() -> None:
    # Before PySide6 is imported: without a display, the offscreen platform instead of a crash.
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run_self_test(streams: Streams) -> int:
    step = "start"
    try:
        _headless_if_needed()
        step = "library"
        from ketamine_desktop.cli.common import check_library, default_library_path, load_default_library

        library = load_default_library(check_signature=False)
        step = "library signature"
        check_library(default_library_path(), library.sha256)  # a trusted key signed exactly these bytes

        step = "Qt binding"
        from ketamine_desktop.gui.binding_check import binding_problem

        problem = binding_problem()
        if problem is not None:
            raise RuntimeError(problem)

        step = "main window"
        from PySide6.QtCore import QStandardPaths

        from ketamine_desktop.app import application, build_main_window
        from ketamine_desktop.domain.clock import SystemClock
        from ketamine_desktop.gui import numbers
        from ketamine_desktop.state.settings import ViewSettings

        app = application()
        with tempfile.TemporaryDirectory(prefix="ketamine-self-test-") as folder:
            # The user's own settings are neither read nor written by a self-test.
            QStandardPaths.setTestModeEnabled(True)
            settings = ViewSettings(Path(folder) / "settings.ini")
            window, plan = build_main_window(app, library, settings, SystemClock())
            try:
                step = "regimen"
                protocol = next(p for p in library.document.protocols if p.infusion is not None)
                form = window.dosing.form
                form.protocol_combo.setCurrentIndex(form.protocol_combo.findData(protocol.id))
                form.protocol_combo.activated.emit(form.protocol_combo.currentIndex())
                weight = library.document.weight.plausible_min_kg
                form.weight.edit.setText(numbers.exact(weight))
                form.weight.reparse()  # the same path as a keystroke
                regimen = plan.regimen
                if regimen is None or regimen.infusion is None or not plan.is_current:
                    raise RuntimeError("the window computed no regimen")
                shown = window.dosing.card.pump_rate.text()
                expected = numbers.Display(library).ml_per_h(regimen.infusion.rate_ml_per_h)
                if shown != expected:
                    raise RuntimeError(f"the card shows {shown!r}, the regimen gives {expected!r}")

                step = "record store"
                _store_round_trip(
                    Path(folder) / "record", library.version, library.sha256, regimen.infusion.rate_ml_per_h
                )
            finally:
                window.close()
                window.deleteLater()
                app.processEvents()
    except Exception as exc:
        streams.err.write(
            f"self-test failed ({step}): {type(exc).__name__}: {exc}\n".replace("\n", " ").rstrip() + "\n"
        )
        return 1
    streams.out.write("self-test ok\n")
    return 0


def _store_round_trip(folder: Path, library_version: str, library_sha256: str, rate: Decimal) -> None:
    from ketamine_desktop.domain.clock import SystemClock
    from ketamine_desktop.store.record_store import RecordStore

    store = RecordStore.open(folder)
    try:
        payload = {"check": "self-test", "rate_ml_per_h": rate}
        store.append(
            "self-test",
            "self-test",
            payload,
            recorded_by="self-test",
            recorded_at=SystemClock().now(),
            library_version=library_version,
            library_sha256=library_sha256,
        )
        records = store.records()
        if len(records) != 1 or records[0].payload != payload:
            raise RuntimeError("the record read back differs from the one written")
        verdict = store.verify()
        if not verdict.ok:
            raise RuntimeError(f"the record's hash chain does not verify: {verdict.reason}")
    finally:
        store.close()
