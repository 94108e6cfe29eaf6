"""One entry for every export, used by the `export` command and the window alike.

`write_export` writes one format of a verified session to a file: through a temporary file beside it and
a rename, so a failed export never leaves half a file under the name asked for. The record is only read.
The PDF formats import Qt (QtGui's PDF writer) only when they run, never at start-up.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Literal, get_args

from ketamine_desktop.domain.formatting import POINT, NumberFormat
from ketamine_desktop.export.source import ExportSource

__all__ = ["FORMATS", "SUFFIXES", "Format", "write_export"]

# The `export` command's formats (cli-contract.md), then the window's own: the syringe label and the
# titration card.
Format = Literal["pdf", "csv", "fhir", "handover", "label", "card"]
FORMATS: tuple[Format, ...] = get_args(Format)
SUFFIXES: dict[Format, str] = {
    "pdf": ".pdf",
    "csv": ".csv",
    "fhir": ".json",
    "handover": ".pdf",
    "label": ".pdf",
    "card": ".pdf",
}


def export_bytes(
    source: ExportSource,
    fmt: Format,
    now: datetime,
    subject: str | None = None,
    numbers: NumberFormat = POINT,
) -> bytes:
    """The export's bytes (the PDFs need a QGuiApplication; `ensure_gui` makes one)."""
    if fmt == "csv":
        from ketamine_desktop.export.csv_export import csv_text

        return csv_text(source).encode("utf-8-sig")
    if fmt == "fhir":
        from ketamine_desktop.export.fhir import bundle_json, fhir_bundle

        return (bundle_json(fhir_bundle(source, now, subject)) + "\n").encode("utf-8")
    from ketamine_desktop.export import pdf

    makers = {
        "pdf": pdf.chart_pdf,
        "handover": pdf.handover_pdf,
        "label": pdf.label_pdf,
        "card": pdf.card_pdf,
    }
    return makers[fmt](source, now, numbers)


def write_export(
    source: ExportSource,
    fmt: Format,
    out: Path,
    now: datetime,
    subject: str | None = None,
    numbers: NumberFormat = POINT,
) -> int:
    """Write the export to `out` (replacing it); return the number of bytes written. `numbers` is the
    decimal mark of the PDFs (the window's; CSV and FHIR always keep the point)."""
    data = export_bytes(source, fmt, now, subject, numbers)
    folder = out.parent if str(out.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return len(data)
