"""PDF documents drawn with Qt's own PDF writer (QPdfWriter + QPainter + QTextDocument): no extra library.

`render_pdf` lays an HTML body (`export.report_html`) out on A4 pages and paints every page with a header
(what and whom the document is about, TRAINING when it is a training record) and a footer ("page x of y",
printed by and at, the record's head hash). QTextDocument paginates tables and paragraphs; the trend chart
is the window's own chart widget rendered into an image. Imported only when a PDF is made (never at
start-up): it needs a QApplication, which `ensure_app` creates offscreen for the headless commands.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLineF, QMarginsF, QPoint, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from ketamine_desktop.domain.formatting import POINT, NumberFormat
from ketamine_desktop.export.chart_html import Block, Cell, Table
from ketamine_desktop.export.report_html import STYLE
from ketamine_desktop.export.source import ExportSource

__all__ = [
    "DOCUMENTS",
    "Document",
    "PageFrame",
    "card_document",
    "card_pdf",
    "chart_document",
    "chart_pdf",
    "ensure_app",
    "handover_document",
    "handover_pdf",
    "label_document",
    "label_pdf",
    "paint_document",
    "printed_by",
    "render_pdf",
]

_DPI = 300
_MARGIN_MM = 12.0
_HEADER_PT = 9.0
_BODY_PT = 8.5
_TABLE_PT = 7.0
# The trend chart is painted at 1.5 times its size: sharp enough on paper (about 180 dpi), and a 14-day
# chart stays cheaper to draw (its antialiased lines cost by the pixel).
_TREND_SCALE = 1.5


@dataclass(frozen=True)
class PageFrame:
    """What every page says besides its body."""

    title: str
    subject: str  # bed and initials, protocol
    footer: str  # printed by and at, the head hash
    training: bool = False


def ensure_app() -> QApplication:
    """The running QApplication, or one made offscreen for a headless export."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication(["ketamine-desktop-export"])


def printed_by() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "unknown user"


@dataclass(frozen=True)
class Document:
    """A document ready to paint: its blocks (HTML, or tables painted row by row), what every page says,
    and the images the HTML shows."""

    blocks: tuple[Block, ...]
    frame: PageFrame
    images: dict[str, QImage] = field(default_factory=dict)


def render_pdf(document: Document) -> bytes:
    """The document as PDF bytes (A4 portrait)."""
    ensure_app()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(_DPI)
    writer.setTitle(f"{document.frame.title} - {document.frame.subject}")
    writer.setCreator("Ketamine Desktop")
    paint_document(writer, document)
    buffer.close()
    return bytes(data.data())


Draw = Callable[[QPainter, float], None]  # paints one placed piece at a y offset in the page body


class _Pages:
    """Places pieces of known height down the page body, starting a new page when one does not fit."""

    def __init__(self, body_h: float, gap: float) -> None:
        self.body_h = body_h
        self.gap = gap
        self.pages: list[list[tuple[float, Draw]]] = [[]]
        self.y = 0.0

    def room(self) -> float:
        return self.body_h - self.y

    def new_page(self) -> None:
        if self.pages[-1]:
            self.pages.append([])
        self.y = 0.0

    def place(self, height: float, draw: Draw) -> None:
        if height > self.room() and self.y > 0:
            self.new_page()
        self.pages[-1].append((self.y, draw))
        self.y += height

    def skip(self) -> None:
        self.y += self.gap


def paint_document(device: QPdfWriter | QPrinter, document: Document) -> int:
    """Lay the document out on A4 pages of `device` (a PDF writer or a printer) and paint every page;
    returns the number of pages."""
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM, _MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    dpi = device.resolution()
    page = device.pageLayout().paintRectPixels(dpi)
    width, height = float(page.width()), float(page.height())
    header_h = _HEADER_PT * dpi / 72 * 3.2
    footer_h = _HEADER_PT * dpi / 72 * 2.6
    pages = _Pages(height - header_h - footer_h, _BODY_PT * dpi / 72 * 0.4)
    for block in document.blocks:
        if isinstance(block, Table):
            _place_table(pages, device, block, width, dpi)
        else:
            _place_html(pages, device, block, document.images, width)
    frame = document.frame
    painter = QPainter(device)
    try:
        for index, pieces in enumerate(pages.pages):
            if index:
                device.newPage()
            _header(painter, frame, width, header_h)
            for y, draw in pieces:
                draw(painter, header_h + y)
            _footer(painter, frame, f"Page {index + 1} of {len(pages.pages)}", width, height, footer_h)
    finally:
        painter.end()
    return len(pages.pages)


def _place_html(
    pages: _Pages, device: QPdfWriter | QPrinter, html: str, images: dict[str, QImage], width: float
) -> None:
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    font = QFont("DejaVu Sans")
    font.setPointSizeF(_BODY_PT)
    doc.setDefaultFont(font)
    for name, image in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.setDefaultStyleSheet(STYLE)
    doc.setHtml(html)
    doc.setTextWidth(width)
    doc.setDocumentMargin(0)
    total = doc.size().height()
    if total <= pages.body_h:
        pages.place(total, lambda painter, y: _draw_doc(painter, doc, y, 0.0, total, width))
        pages.skip()
        return
    # Longer than a page: cut at page height (QTextDocument keeps lines whole at its own page breaks).
    pages.new_page()
    doc.setPageSize(QSizeF(width, pages.body_h))
    for index in range(doc.pageCount()):
        top = index * pages.body_h
        pages.place(min(pages.body_h, doc.size().height() - top), _doc_slice(doc, top, pages.body_h, width))
    pages.skip()


def _doc_slice(doc: QTextDocument, top: float, height: float, width: float) -> Draw:
    def draw(painter: QPainter, y: float) -> None:
        _draw_doc(painter, doc, y, top, height, width)

    return draw


def _draw_doc(
    painter: QPainter, doc: QTextDocument, y: float, top: float, height: float, width: float
) -> None:
    painter.save()
    painter.translate(0, y - top)
    doc.drawContents(painter, QRectF(0, top, width, height))
    painter.restore()


_WRAP = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)
_LINE = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)


def _place_table(pages: _Pages, device: QPdfWriter | QPrinter, table: Table, width: float, dpi: int) -> None:
    """Rows down the page; a row never splits; the header row starts every page the table is on."""
    font = _font(_TABLE_PT)
    bold = _font(_TABLE_PT, bold=True)
    metrics = QFontMetricsF(font, device)
    pad = _TABLE_PT * dpi / 72 * 0.25
    line = metrics.lineSpacing()
    total = sum(c.weight for c in table.columns)
    widths = [width * c.weight / total for c in table.columns]
    lefts = [sum(widths[:i]) for i in range(len(widths))]
    header_h = (
        max(
            metrics.boundingRect(QRectF(0, 0, w - 2 * pad, 1e6), _WRAP, c.title).height()
            for c, w in zip(table.columns, widths, strict=True)
        )
        + 2 * pad
    )

    def row_height(row: tuple[Cell, ...]) -> float:
        tallest = line
        for cell, column, w in zip(row, table.columns, widths, strict=True):
            if column.wrap and cell.text and metrics.horizontalAdvance(cell.text) > w - 2 * pad:
                tallest = max(
                    tallest, metrics.boundingRect(QRectF(0, 0, w - 2 * pad, 1e6), _WRAP, cell.text).height()
                )
        return tallest + 2 * pad

    grid = QPen(QColor("#999999"))
    edges = [*lefts, width]

    def draw_header(painter: QPainter, y: float) -> None:
        painter.setFont(bold)
        for column, left, w in zip(table.columns, lefts, widths, strict=True):
            box = QRectF(left, y, w, header_h)
            painter.fillRect(box, QColor("#E6EAEE"))
            painter.setPen(QColor("#999999"))
            painter.drawRect(box)
            painter.setPen(QColor("#000000"))
            painter.drawText(box.adjusted(pad, pad, -pad, -pad), _WRAP, column.title)

    def draw_row(row: tuple[Cell, ...], h: float) -> Draw:
        def draw(painter: QPainter, y: float) -> None:
            # Shades first, then the text, then the grid in one call: a 14-day flowsheet is 20,000 cells,
            # and every change of pen or font costs more than the text it draws.
            for cell, left, w in zip(row, lefts, widths, strict=True):
                if cell.shade:
                    painter.fillRect(QRectF(left, y, w, h), QColor(cell.shade))
            painter.setPen(QColor("#000000"))
            painter.setFont(font)
            current = font
            for cell, column, left, w in zip(row, table.columns, lefts, widths, strict=True):
                if not cell.text:
                    continue
                wanted = bold if cell.bold else font
                if wanted is not current:
                    painter.setFont(wanted)
                    current = wanted
                box = QRectF(left + pad, y + pad, w - 2 * pad, h - 2 * pad)
                painter.drawText(box, _WRAP if column.wrap else _LINE, cell.text)
            painter.setPen(grid)
            painter.drawLines([*(QLineF(x, y, x, y + h) for x in edges), QLineF(0, y + h, width, y + h)])

        return draw

    title_font = _font(_BODY_PT * 1.25, bold=True)
    title_h = QFontMetricsF(title_font, device).lineSpacing() * 1.3 if table.title else 0.0

    def draw_title(painter: QPainter, y: float) -> None:
        painter.setFont(title_font)
        painter.setPen(QColor("#000000"))
        painter.drawText(QRectF(0, y, width, title_h), _LINE, table.title)

    first = True
    for row in table.rows:
        h = row_height(row)
        if first:
            # The title, the header and the first row stay together.
            if title_h + header_h + h > pages.room():
                pages.new_page()
            if table.title:
                pages.place(title_h, draw_title)
            pages.place(header_h, draw_header)
            first = False
        elif h > pages.room():
            pages.new_page()
            pages.place(header_h, draw_header)
        pages.place(h, draw_row(row, h))
    pages.skip()


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _header(painter: QPainter, frame: PageFrame, width: float, height: float) -> None:
    painter.setPen(QColor("#000000"))
    painter.setFont(_font(_HEADER_PT + 2, bold=True))
    title = frame.title + ("  -  TRAINING RECORD, NOT A PATIENT'S" if frame.training else "")
    line = height / 2.4
    painter.drawText(
        QRectF(0, 0, width, line), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title
    )
    painter.setFont(_font(_HEADER_PT))
    subject = painter.fontMetrics().elidedText(frame.subject, Qt.TextElideMode.ElideRight, int(width))
    painter.drawText(
        QRectF(0, line, width, line),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
        subject,
    )
    painter.drawLine(0, int(height * 0.9), int(width), int(height * 0.9))
    if frame.training:
        painter.save()
        painter.setPen(QColor("#D55E00"))
        painter.setFont(_font(_HEADER_PT + 4, bold=True))
        painter.drawText(
            QRectF(0, 0, width, line),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            "TRAINING",
        )
        painter.restore()


def _footer(
    painter: QPainter, frame: PageFrame, page: str, width: float, height: float, footer_h: float
) -> None:
    top = height - footer_h
    painter.setPen(QColor("#000000"))
    painter.drawLine(0, int(top + footer_h * 0.1), int(width), int(top + footer_h * 0.1))
    painter.setFont(_font(_HEADER_PT - 1.5))
    box = QRectF(0, top + footer_h * 0.15, width, footer_h * 0.85)
    painter.drawText(
        box,
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
        frame.footer,
    )
    painter.setFont(_font(_HEADER_PT, bold=True))
    painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom), page)


def footer_text(who: str, at: datetime, head_hash: str, records: int) -> str:
    return (
        f"Printed by {who} at {at.astimezone().strftime('%Y-%m-%d %H:%M %Z')}. "
        f"Record head hash {head_hash or '(empty)'} ({records} records): check it with "
        f"ketamine-desktop verify-record --expect-head."
    )


# --- The documents --------------------------------------------------------------------------------------


def _frame(source: ExportSource, title: str, now: datetime) -> PageFrame:
    start = source.state.start
    who = " ".join(x for x in (start.bed_label, start.patient_initials) if x)
    return PageFrame(
        title=title,
        subject=f"{who} | {source.state.protocol.name} | session {source.session_id}",
        footer=footer_text(printed_by(), now, source.head_hash, source.record_count),
        training=source.training,
    )


def handover_document(source: ExportSource, now: datetime, numbers: NumberFormat = POINT) -> Document:
    from ketamine_desktop.domain.handover import handover_facts
    from ketamine_desktop.export.report_html import handover_html

    facts = handover_facts(source.state, now, source.head_hash, source.record_count)
    html = handover_html(facts, source.library, source.training, numbers)
    return Document((html,), _frame(source, "Ketamine infusion handover", now))


def handover_pdf(source: ExportSource, now: datetime, numbers: NumberFormat = POINT) -> bytes:
    return _pdf(handover_document(source, now, numbers))


def _pdf(document: Document) -> bytes:
    return render_pdf(document)


def trend_image(source: ExportSource, now: datetime, width: int, height: int) -> QImage:
    """The window's trend chart, painted into an image (white background, black text)."""
    from PySide6.QtGui import QPalette

    from ketamine_desktop.gui.monitoring.trend_chart import TrendChart, trend_data

    ensure_app()
    chart = TrendChart()
    palette = chart.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#FFFFFF"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#000000"))
    chart.setPalette(palette)
    chart.resize(width, height)
    # A finished infusion's chart ends with its last record, not at the time it is printed.
    running = source.state.status in ("running", "paused", "observing")
    chart.set_data(trend_data(source.state, now if running else min(now, source.last_recorded_at)))
    image = QImage(int(width * _TREND_SCALE), int(height * _TREND_SCALE), QImage.Format.Format_ARGB32)
    image.fill(QColor("#FFFFFF"))
    painter = QPainter(image)
    try:
        painter.scale(_TREND_SCALE, _TREND_SCALE)
        chart.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    chart.deleteLater()
    return image


def chart_pdf(source: ExportSource, now: datetime, numbers: NumberFormat = POINT) -> bytes:
    return _pdf(chart_document(source, now, numbers))


def chart_document(source: ExportSource, now: datetime, numbers: NumberFormat = POINT) -> Document:
    from ketamine_desktop.export.chart_html import chart_blocks

    ensure_app()
    has_trend = bool(source.state.observations)
    blocks = chart_blocks(
        source.state, source.training, source.head_hash, source.record_count, has_trend, numbers
    )
    images: dict[str, QImage] = {}
    if has_trend:
        images["trend.png"] = trend_image(source, now, 900, 460)
        # The text width in CSS pixels (96 per inch): QTextDocument scales them to the writer's resolution.
        page_width = int((210 - 2 * _MARGIN_MM) / 25.4 * 96)
        size = {"{TREND_WIDTH}": str(page_width), "{TREND_HEIGHT}": str(page_width * 460 // 900)}
        for index, block in enumerate(blocks):
            if isinstance(block, str) and "{TREND_WIDTH}" in block:
                for key, value in size.items():
                    block = block.replace(key, value)
                blocks[index] = block
    return Document(tuple(blocks), _frame(source, "Ketamine infusion chart", now), images)


def label_pdf(source: ExportSource, now: datetime, numbers: NumberFormat = POINT) -> bytes:
    return _pdf(label_document(source, now, numbers))


def label_document(source: ExportSource, now: datetime, numbers: NumberFormat = POINT) -> Document:
    """The running syringe's label; raises ValueError for a session without a syringe."""
    from ketamine_desktop.domain.titration import syringe_label
    from ketamine_desktop.export.report_html import label_html

    label = syringe_label(source.state)
    if label is None:
        raise ValueError("this session has no syringe or bag: there is no label to print")
    return Document(
        (label_html(label, source.library, source.training, numbers),), _frame(source, "Syringe label", now)
    )


def card_pdf(source: ExportSource, now: datetime, numbers: NumberFormat = POINT) -> bytes:
    return _pdf(card_document(source, now, numbers))


def card_document(source: ExportSource, now: datetime, numbers: NumberFormat = POINT) -> Document:
    """The bedside titration card for this patient and the concentration running; ValueError without one."""
    from ketamine_desktop.domain.titration import titration_card
    from ketamine_desktop.export.report_html import card_html

    state = source.state
    if state.infusion is None:
        raise ValueError("this session has no infusion: there is no titration card")
    start = state.start
    card = titration_card(
        source.library,
        start.protocol_id,
        start.regimen.weight_kg,
        state.infusion.concentration_mg_per_ml,
        running=state.infusion.entered,
    )
    who = " ".join(x for x in (start.bed_label, start.patient_initials) if x)
    return Document(
        (card_html(card, source.library, who, source.training, numbers),),
        _frame(source, "Titration card", now),
    )


# The printable documents by export format (the window prints these).
DOCUMENTS = {
    "handover": handover_document,
    "pdf": chart_document,
    "label": label_document,
    "card": card_document,
}
