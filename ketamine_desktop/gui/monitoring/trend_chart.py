"""The trend chart: RR, SpO2, heart rate, systolic BP, sedation and the pump rate over time, one lane
each on a shared time axis, with the dose events (bolus, rate changes, pause, resume, syringe, stop)
marked across every lane.

Drawn with QPainter in one small widget: QtCharts would add megabytes to the installer and time to the
start-up for six polylines. The panel creates the widget the first time its tab is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ketamine_desktop.domain.session import SessionState
from ketamine_desktop.gui import numbers
from ketamine_desktop.gui.monitoring.words import clock_time

EVENT_MARKS: dict[str, str] = {
    "bolus": "bolus",
    "rate-increase": "rate up",
    "rate-decrease": "rate down",
    "pause": "pause",
    "resume": "resume",
    "syringe-change": "syringe",
    "stop": "stop",
}
# Tick spacing candidates for the time axis (display only).
_TICKS_MIN = (15, 30, 60, 120, 240, 360, 720, 1440, 2880, 4320, 10080)
_LINE = QColor("#0072B2")
_RATE = QColor("#009E73")
_EVENT = QColor("#CC79A7")
_MARGIN_LEFT = 150
XOf = Callable[[datetime], float]  # where an instant falls on the time axis
_MARGIN_RIGHT = 16
_MARGIN_TOP = 22
_MARGIN_BOTTOM = 22


@dataclass(frozen=True)
class Lane:
    name: str
    unit: str
    points: tuple[tuple[datetime, Decimal], ...]
    step: bool = False  # a step line (the pump rate) rather than points joined
    ticks: tuple[tuple[Decimal, str], ...] = ()  # fixed labelled levels (a sedation scale)


@dataclass(frozen=True)
class TrendData:
    start: datetime
    end: datetime
    lanes: tuple[Lane, ...]
    events: tuple[tuple[datetime, str], ...]


def _sedation_value(scale: str, value: str) -> Decimal:
    # POSS S (asleep, easy to rouse) sits below 1 (awake); RASS is numeric already.
    if scale == "POSS":
        return Decimal(0) if value == "S" else Decimal(value)
    return Decimal(value)


def trend_data(state: SessionState, now: datetime) -> TrendData:
    """Everything the chart draws, from the folded session (no Qt)."""
    observations = [o.body for o in state.observations]

    def series(pick: str) -> tuple[tuple[datetime, Decimal], ...]:
        values = ((o.taken_at, getattr(o.observation, pick)) for o in observations)
        return tuple((at, Decimal(v)) for at, v in values if v is not None)

    scale_id = state.protocol.sedation_scale
    scale = state.library.sedation_scale(scale_id)
    field = "rass" if scale_id == "RASS" else "poss"
    sedation = tuple(
        (o.taken_at, _sedation_value(scale_id, str(getattr(o.observation, field))))
        for o in observations
        if getattr(o.observation, field) is not None
    )
    sedation_ticks = tuple((_sedation_value(scale_id, level.value), level.value) for level in scale.levels)
    lanes = [
        Lane("Resp. rate", "/min", series("respiration_rate")),
        Lane("SpO2", "%", series("spo2")),
        Lane("Heart rate", "/min", series("pulse")),
        Lane("Systolic BP", "mmHg", series("systolic_bp")),
        Lane(f"Sedation ({scale_id})", "", sedation, ticks=sedation_ticks),
    ]
    if state.start.regimen.infusion is not None:
        rate = state.start.regimen.infusion.rate_ml_per_h
        running = True
        points = [(state.start.started_at, rate)]
        for event in state.events:
            body = event.body
            if body.infusion is not None:
                rate = body.infusion.rate_ml_per_h
            if body.kind in ("pause", "stop"):
                running = False
            elif body.kind == "resume":
                running = True
            points.append((body.at, rate if running else Decimal(0)))
        lanes.append(Lane("Pump rate", "mL/h", tuple(points), step=True))
    events = tuple((e.body.at, EVENT_MARKS[e.body.kind]) for e in state.events)
    times = [state.start.started_at, now, *(at for lane in lanes for at, _ in lane.points)]
    end = max(times)
    start = state.start.started_at
    if end - start < timedelta(hours=1):
        end = start + timedelta(hours=1)
    return TrendData(start=start, end=end, lanes=tuple(lanes), events=events)


def _range(lane: Lane) -> tuple[Decimal, Decimal]:
    values = [v for _, v in lane.points] + [v for v, _ in lane.ticks]
    if not values:
        return Decimal(0), Decimal(1)
    low, high = min(values), max(values)
    if lane.step:
        low = min(low, Decimal(0))
    pad = (high - low) / 10 if high > low else Decimal(1)
    return low - pad, high + pad


class TrendChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trendChart")
        self.setAccessibleName("Trend chart of the recorded checks and the dose events")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.data: TrendData | None = None
        # Decimated lines by lane, geometry and data: a repaint at the same size draws them again as they are.
        self._paths: dict[tuple[object, ...], tuple[list[QPointF], list[QPointF]]] = {}

    def sizeHint(self) -> QSize:
        return QSize(900, 420)

    def minimumSizeHint(self) -> QSize:
        # Six lanes of at least 30 px: readable, and the window still fits a 768-pixel-high screen.
        return QSize(480, _MARGIN_TOP + _MARGIN_BOTTOM + 6 * 30)

    def set_data(self, data: TrendData) -> None:
        if data != self.data:
            self.data = data
            self._paths.clear()
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        data = self.data
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            if len(self._paths) > 64:  # sizes come and go (resizing): keep only what the last ones drew
                self._paths.clear()
            text_colour = self.palette().color(QPalette.ColorRole.WindowText)
            painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
            if data is None or not data.lanes:
                return
            plot = QRectF(
                _MARGIN_LEFT,
                _MARGIN_TOP,
                max(10, self.width() - _MARGIN_LEFT - _MARGIN_RIGHT),
                max(10, self.height() - _MARGIN_TOP - _MARGIN_BOTTOM),
            )
            lane_height = plot.height() / len(data.lanes)
            span_s = (data.end - data.start).total_seconds()

            def x_of(at: datetime) -> float:
                return plot.left() + plot.width() * (at - data.start).total_seconds() / span_s

            small = QFont(self.font())
            small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.8))
            painter.setFont(small)
            for index, lane in enumerate(data.lanes):
                top = plot.top() + index * lane_height
                self._draw_lane(
                    painter, lane, QRectF(plot.left(), top, plot.width(), lane_height), x_of, text_colour
                )
            self._draw_time_axis(painter, data, plot, x_of, text_colour)
            if len(data.events) * _EVENT_LABEL_PX <= plot.width():
                pen = QPen(_EVENT, 1.5, Qt.PenStyle.DashLine)
                for at, label in data.events:
                    x = x_of(at)
                    painter.setPen(pen)
                    painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
                    painter.setPen(text_colour)
                    painter.drawText(QPointF(x + 3, plot.top() - 6), label)
            else:
                # Too many to label (days of syringe and rate changes): a tick each above the lanes, and
                # the rate changes show in the pump-rate lane.
                painter.setPen(QPen(_EVENT, 1.5))
                for at, _label in data.events:
                    x = x_of(at)
                    painter.drawLine(QPointF(x, plot.top() - 10), QPointF(x, plot.top() - 2))
                painter.setPen(text_colour)
                painter.drawText(QPointF(plot.left(), plot.top() - 12), f"{len(data.events)} dose events")
        finally:
            painter.end()

    def _draw_lane(self, painter: QPainter, lane: Lane, box: QRectF, x_of: XOf, text: QColor) -> None:
        low, high = _range(lane)

        def y_of(value: Decimal) -> float:
            return box.bottom() - 4 - (box.height() - 8) * float((value - low) / (high - low))

        painter.setPen(QPen(QColor("#C9D3DC"), 1))
        painter.drawRect(box)
        painter.setPen(text)
        labels = {value: label for value, label in lane.ticks}
        latest = "—"
        if lane.points:
            value = lane.points[-1][1]
            latest = labels.get(value, numbers.exact(value))
        title = f"{lane.name}: {latest} {lane.unit}".rstrip()
        painter.drawText(
            QRectF(4, box.top(), _MARGIN_LEFT - 8, box.height()),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap),
            title,
        )
        last_y: float | None = None
        for value, label in sorted(lane.ticks):
            y = y_of(value)
            if last_y is None or abs(last_y - y) >= 11:  # never print labels on top of each other
                painter.drawText(QPointF(box.left() - 18, y + 4), label)
                last_y = y
        if not lane.ticks and lane.points:
            values = [v for _, v in lane.points]
            low_y, high_y = y_of(min(values)), y_of(max(values))
            painter.drawText(QPointF(box.left() - 34, high_y + 4), numbers.exact(max(values)))
            if low_y - high_y >= 11:  # the lowest value too, when it has a line of its own
                painter.drawText(QPointF(box.left() - 34, low_y + 4), numbers.exact(min(values)))
        colour = _RATE if lane.step else _LINE
        painter.setPen(QPen(colour, 2))
        if not lane.step:
            bottom = y_of(low)
            per_unit = (bottom - y_of(high)) / float(high - low)
            self._draw_series(painter, lane, box, bottom, float(low), per_unit, colour)
            return
        points = [QPointF(x_of(at), y_of(value)) for at, value in lane.points]
        if points:
            stepped: list[QPointF] = []
            for point in points:
                if stepped:
                    stepped.append(QPointF(point.x(), stepped[-1].y()))
                stepped.append(point)
            stepped.append(QPointF(box.right(), stepped[-1].y()))
            painter.drawPolyline(stepped)

    def _draw_series(
        self,
        painter: QPainter,
        lane: Lane,
        box: QRectF,
        bottom: float,
        low: float,
        per_unit: float,
        colour: QColor,
    ) -> None:
        """The lane's points, decimated per pixel column (`_decimate`), cached for the same data and size."""
        data = self.data
        assert data is not None
        key = (lane.name, box.left(), box.width(), bottom, low, per_unit)
        cached = self._paths.get(key)
        if cached is None:
            x_per_s = box.width() / (data.end - data.start).total_seconds()
            cached = _decimate(_floats(lane, data.start), _Scale(box.left(), x_per_s, bottom, low, per_unit))
            self._paths[key] = cached
        line, markers = cached
        if len(line) > 1:
            if markers:  # sparse: smooth lines between the marked points
                painter.drawPolyline(line)
            else:
                # Dense: one pixel column after the other, already on whole pixels; antialiased stroking of
                # thousands of overlapping vertical segments is what made a long chart's paint slow.
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.setPen(QPen(colour, 1))
                painter.drawPolyline(line)
                painter.restore()
        if markers:
            painter.setBrush(colour)
            for point in markers:
                painter.drawEllipse(point, 3.0, 3.0)
            painter.setBrush(Qt.BrushStyle.NoBrush)

    def _draw_time_axis(
        self, painter: QPainter, data: TrendData, plot: QRectF, x_of: XOf, text: QColor
    ) -> None:
        span_min = (data.end - data.start).total_seconds() / 60
        step = next((t for t in _TICKS_MIN if span_min / t <= 8), _TICKS_MIN[-1])
        painter.setPen(text)
        mark = data.start
        while mark <= data.end:
            x = x_of(mark)
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            label = mark.astimezone().strftime("%d %b") if step >= 1440 else clock_time(mark)
            painter.drawText(QPointF(x - 16, plot.bottom() + 16), label)
            mark += timedelta(minutes=step)


# Event marks are labelled while each has at least this much width on average (a display choice).
_EVENT_LABEL_PX = 60
# A marker per point while the points are at least this many pixels apart on average (a display choice).
_MARKER_SPACING_PX = 8


def _floats(lane: Lane, start: datetime) -> list[tuple[float, float]]:
    """(seconds from the start, value) as floats: Decimal arithmetic per point would cost the paint."""
    return [((at - start).total_seconds(), float(value)) for at, value in lane.points]


@dataclass(frozen=True)
class _Scale:
    """Where a (seconds from the start, value) point falls: x = left + seconds * x_per_s, and y = bottom
    at the value `low`, y_per_unit pixels up per unit above it."""

    left: float
    x_per_s: float
    bottom: float
    low: float
    y_per_unit: float

    def y(self, value: float) -> float:
        return self.bottom - (value - self.low) * self.y_per_unit


def _decimate(points: list[tuple[float, float]], scale: _Scale) -> tuple[list[QPointF], list[QPointF]]:
    """The polyline through each pixel column's first, lowest, highest and last values, and the markers
    (every point, while they are sparse): the cost follows the chart's width, not the session's length,
    and no spike is lost."""
    line: list[QPointF] = []
    append = line.append
    left, x_per_s, bottom, low_value, per_unit = (
        scale.left,
        scale.x_per_s,
        scale.bottom,
        scale.low,
        scale.y_per_unit,
    )
    column = -1
    first = low = high = last = 0.0
    started = False

    def flush() -> None:  # one call per pixel column, not per point
        x = float(column)
        append(QPointF(x, bottom - (first - low_value) * per_unit))
        if low != high:
            append(QPointF(x, bottom - (low - low_value) * per_unit))
            append(QPointF(x, bottom - (high - low_value) * per_unit))
        append(QPointF(x, bottom - (last - low_value) * per_unit))

    # One pass, the column's values kept in locals (a call per point is what this would cost).
    for at, value in points:
        pixel = int(left + at * x_per_s)
        if pixel != column or not started:
            if started:
                flush()
            column, first, low, high, started = pixel, value, value, value, True
        elif value < low:
            low = value
        elif value > high:
            high = value
        last = value
    if started:
        flush()
    y = scale.y
    markers: list[QPointF] = []
    if points and (points[-1][0] - points[0][0]) * scale.x_per_s >= len(points) * _MARKER_SPACING_PX:
        markers = [QPointF(scale.left + at * scale.x_per_s, y(value)) for at, value in points]
    return line, markers
