"""The Predict panel's filter bar (pytest-qt, offscreen)."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

from bertdesk.gui.widgets.predict_filters import PredictFilterBar


def test_label_boxes_show_the_chosen_label_whole(qtbot) -> None:
    """Seen under Xvfb: the Predicted box, sized when it held only "Any", showed "fresh" as "fresł"."""
    bar = PredictFilterBar()
    qtbot.addWidget(bar)
    bar.resize(1148, 30)
    bar.show()
    qtbot.waitExposed(bar)
    bar.layout().activate()
    qtbot.wait(20)  # laid out while the boxes hold only "Any", as when the panel first shows
    bar.set_classes(["fresh", "rotten", "customer service"])
    assert bar.show_only(predicted="customer service", text="refund")
    bar.layout().activate()
    for box in (bar.predicted_box, bar.label_box):
        box.setCurrentIndex(box.findData("customer service"))
        option = QStyleOptionComboBox()
        box.initStyleOption(option)
        field = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, box)
        text_room = field.width()
        assert QFontMetrics(box.font()).horizontalAdvance("customer service") <= text_room, box.toolTip()


def test_show_only_lifts_every_other_filter(qtbot) -> None:
    bar = PredictFilterBar()
    qtbot.addWidget(bar)
    bar.set_classes(["a", "b"])
    bar.min_spin.setValue(50)
    bar.agreement_box.setCurrentIndex(2)
    bar.set_cell([1, 2], "Validation: a → b (2)")
    with qtbot.waitSignal(bar.filters_changed):
        assert bar.show_only(predicted="b", text="word")
    rule = bar.rule()
    assert (rule.predicted, rule.text, rule.confidence_min, rule.agreement, rule.row_ids) == ("b", "word", 0.0, "all", None)
    assert bar.cell_label.text() == ""
    assert not bar.show_only(predicted="gone", text="x") and bar.rule().predicted == ""


def test_long_label_names_do_not_widen_the_bar(qtbot) -> None:
    """Seen under Xvfb: boxes sized to "documentary & true stories" pushed the panel past a 1280-px window."""
    bar = PredictFilterBar()
    qtbot.addWidget(bar)
    bar.set_classes(["a"])
    before = bar.minimumSizeHint().width()
    bar.set_classes(["a", "documentary & true stories, and other long names people give labels"])
    assert bar.minimumSizeHint().width() <= before
