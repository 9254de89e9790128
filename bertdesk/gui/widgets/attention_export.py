"""Save a view as an image: PNG (pixels as on screen) or SVG (vector lines and text).

A caption band on top says what the view is of (the text, the prediction, the map shown), so an
exported picture stands on its own; a PNG also carries those lines as text chunks (``tEXt``),
readable by image tools and ``QImage.text``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QCoreApplication, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPaintDevice, QPainter
from PySide6.QtWidgets import QWidget

from bertdesk.gui.widgets.chinese_font import with_chinese_fallback

PAD = 8
MAX_TEXT_LINES = 4  # a long text is cut after this many lines in the caption (the chunk keeps all of it)
_FLAGS = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)


def _caption_font() -> QFont:
    font = with_chinese_fallback(QFont())  # the caption quotes the text, Chinese or not
    font.setPointSize(10)
    return font


def _caption_rects(lines: Sequence[str], width: int) -> list[tuple[QRect, str]]:
    """Where each caption line goes in a band ``width`` wide (word-wrapped, at most ``MAX_TEXT_LINES`` lines each)."""
    metrics = QFontMetrics(_caption_font())
    rects: list[tuple[QRect, str]] = []
    top = PAD
    for line in lines:
        if not line:
            continue
        bound = metrics.boundingRect(QRect(PAD, top, width - 2 * PAD, 100_000), _FLAGS, line)
        height = min(bound.height(), MAX_TEXT_LINES * metrics.lineSpacing())
        rects.append((QRect(PAD, top, width - 2 * PAD, height), line))
        top += height + 2
    return rects


def _band_height(rects: list[tuple[QRect, str]]) -> int:
    return rects[-1][0].bottom() + PAD if rects else 0


def _paint_caption(painter: QPainter, rects: list[tuple[QRect, str]]) -> None:
    painter.setFont(_caption_font())
    painter.setPen(QColor("#111111"))
    for rect, line in rects:
        painter.drawText(rect, _FLAGS, line)


def save_widget_image(widget: QWidget, path: str, caption: Sequence[str] = (), chunks: Mapping[str, str] | None = None) -> None:
    """Render ``widget`` (all of it, also the part scrolled out of view) to ``path`` (.svg or .png).

    ``caption``: lines written above the view (plain text, word-wrapped); ``chunks``: key/value
    text stored in the PNG (ignored for SVG, whose caption is already text).

    Raises:
        OSError: the file could not be written.
    """
    width = max(widget.width(), 480)
    rects = _caption_rects(caption, width)
    band = _band_height(rects)
    if path.lower().endswith(".svg"):
        from PySide6.QtSvg import QSvgGenerator  # part of PySide6-Essentials

        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(QSize(width, band + widget.height()))
        generator.setViewBox(QRectF(0, 0, width, band + widget.height()))
        generator.setTitle(QCoreApplication.translate("AttentionExport", "bertdesk attention"))
        generator.setDescription("\n".join(caption))
        _paint(generator, widget, rects, band, width, svg=True)
    else:
        image = QImage(width, band + widget.height(), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        _paint(image, widget, rects, band, width, svg=False)
        for key, value in (chunks or {}).items():
            image.setText(key, value)
        if not image.save(path, "PNG"):
            raise OSError(QCoreApplication.translate("AttentionExport", "{path} could not be written").format(path=path))


def _paint(device: QPaintDevice, widget: QWidget, rects: list[tuple[QRect, str]], band: int, width: int, *, svg: bool) -> None:
    painter = QPainter(device)
    try:
        if svg:
            painter.fillRect(QRect(0, 0, width, band + widget.height()), QColor("white"))
        _paint_caption(painter, rects)
        if svg:
            scene = getattr(widget, "scene", None)
            if callable(scene):
                scene().prepareForPaint()  # what pyqtgraph's own render() does first
            painter.translate(0, band)
            # QWidget's render, not QGraphicsView's (pyqtgraph views have that signature).
            QWidget.render(widget, painter, QPoint())
        else:
            painter.drawPixmap(0, band, widget.grab())
    finally:
        painter.end()  # a painter left active on a destroyed device crashes Qt
