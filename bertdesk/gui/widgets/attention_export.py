"""Save a view as an image: PNG (pixels as on screen) or SVG (vector lines and text)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget


def save_widget_image(widget: QWidget, path: str) -> None:
    """Render ``widget`` (all of it, also the part scrolled out of view) to ``path`` (.svg or .png).

    Raises:
        OSError: the file could not be written.
    """
    if path.lower().endswith(".svg"):
        from PySide6.QtSvg import QSvgGenerator  # part of PySide6-Essentials

        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(widget.size())
        generator.setViewBox(QRectF(0, 0, widget.width(), widget.height()))
        generator.setTitle("bertdesk attention")
        painter = QPainter(generator)
        try:
            scene = getattr(widget, "scene", None)
            if callable(scene):
                scene().prepareForPaint()  # what pyqtgraph's own render() does first
            # QWidget's render, not QGraphicsView's (pyqtgraph views have that signature).
            QWidget.render(widget, painter, QPoint())
        finally:
            painter.end()  # a painter left active on a destroyed device crashes Qt
    elif not widget.grab().save(path, "PNG"):
        raise OSError(f"{path} could not be written")
