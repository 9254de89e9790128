"""The training settings form: model source, device, precision, preset and advanced settings.

:meth:`TrainSettingsWidget.config` turns what is shown into a
:class:`~bertdesk.core.ml.training_config.TrainConfig`. Choosing a preset fills the advanced fields;
the settings that have no field (warm-up, weight decay, ...) come from the preset. Nothing here
imports torch: the device list arrives from outside (:meth:`set_devices`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QLabel, QLineEdit, QSpinBox, QToolButton, QVBoxLayout, QWidget

from bertdesk.core.errors import TrainingError
from bertdesk.core.ml.distributed import ParallelChoice, parallel_choice
from bertdesk.core.ml.training_config import CLASS_WEIGHT_CHOICES, DEFAULT_PRESET, HELP, PRESETS, TrainConfig

if TYPE_CHECKING:
    from bertdesk.core.ml.devices import DeviceInfo

BUNDLED_NAME = "all-MiniLM-L6-v2 (bundled)"
BROWSE, HUB = "<browse>", "<hub>"
ALL_DEVICES = "<all devices>"  # "All N GPUs": a torchrun child process, one process per GPU
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
PRECISION_HELP = {
    "auto": "auto (best for the device)",
    "fp32": "fp32 (full precision)",
    "bf16": "bf16 (mixed)",
    "fp16": "fp16 (mixed, GPU only)",
}
PRESET_HELP = {
    "Fast": "A first look in a minute or two: fewer epochs, shorter texts.",
    "Balanced": "Good defaults for most tables.",
    "Thorough": "Longer texts, more epochs: for the model you will keep.",
}
HELP_EXTRA = {"preset": "A starting point for the settings below. Changing it fills in the advanced settings."}


def _label(text: str, tip: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if tip:
        label.setToolTip(tip)
    return label


def format_rate(value: float) -> str:
    """A learning rate the way people write it: ``1e-4``, ``1.5e-4``, ``8e-5``."""
    mantissa, exponent = f"{value:.6e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


class TrainSettingsWidget(QWidget):
    """Everything a run is configured with. ``changed`` fires on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._last_model_index = 0
        self._filling = False
        self._parallel: ParallelChoice | None = None

        # -- model source ----------------------------------------------------------------------
        self.model_combo = QComboBox()
        self.model_combo.addItem(BUNDLED_NAME, "default")
        self.model_combo.addItem("Model folder…", BROWSE)
        self.model_combo.addItem("Hugging Face hub id…", HUB)
        self.model_combo.setToolTip(HELP["model"])
        self.hub_edit = QLineEdit()
        self.hub_edit.setPlaceholderText("e.g. bert-base-uncased (needs internet)")
        self.hub_edit.setToolTip(HELP["model"])
        self.hub_edit.setVisible(False)
        self.model_name = _label("")
        self.model_name.setWordWrap(True)
        self.model_name.setStyleSheet("color: palette(mid);")
        model_box = QVBoxLayout()
        model_box.setContentsMargins(0, 0, 0, 0)
        model_box.setSpacing(2)
        model_box.addWidget(self.model_combo)
        model_box.addWidget(self.hub_edit)
        model_box.addWidget(self.model_name)

        # -- device and precision ------------------------------------------------------------------
        self.device_combo = QComboBox()
        self.device_combo.setToolTip(HELP["device"])
        self.device_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device_combo.setMinimumContentsLength(16)
        self.set_devices(None)
        self.precision_combo = QComboBox()
        for name in PRECISIONS:
            self.precision_combo.addItem(PRECISION_HELP[name], name)
        self.precision_combo.setToolTip(HELP["precision"])

        # -- preset ----------------------------------------------------------------------------
        self.preset_combo = QComboBox()
        for name in PRESETS:
            self.preset_combo.addItem(name, name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, PRESET_HELP.get(name, ""), Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.setToolTip(HELP_EXTRA["preset"])
        self.preset_note = _label("")
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color: palette(mid);")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_label("Model:", HELP["model"]), model_box)
        form.addRow(_label("Device:", HELP["device"]), self.device_combo)
        form.addRow(_label("Precision:", HELP["precision"]), self.precision_combo)
        form.addRow(_label("Preset:", HELP_EXTRA["preset"]), self.preset_combo)
        form.addRow("", self.preset_note)

        # -- advanced (collapsed) ----------------------------------------------------------------
        self.advanced_button = QToolButton()
        self.advanced_button.setText("Advanced settings")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.toggled.connect(self._on_advanced_toggled)
        self.advanced = QWidget()
        self.advanced.setVisible(False)

        self.epochs_spin = self._spin(1, 1000, HELP["epochs"])
        self.batch_spin = self._spin(1, 4096, HELP["batch_size"])
        self.max_length_spin = self._spin(8, 8192, HELP["max_length"])
        self.max_length_spin.setSuffix(" tokens")
        self.rate_edit = QLineEdit()
        validator = QDoubleValidator(1e-9, 0.999, 9, self.rate_edit)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.rate_edit.setValidator(validator)
        self.rate_edit.setToolTip(HELP["learning_rate"])
        self.rate_edit.textEdited.connect(self._on_field_changed)
        self.val_spin = self._spin(0, 89, HELP["val_split"])
        self.val_spin.setSuffix(" %")
        self.seed_spin = self._spin(0, 2**31 - 1, HELP["seed"])
        self.patience_spin = self._spin(0, 1000, HELP["patience"])
        self.patience_spin.setSpecialValueText("never stop early")
        self.weights_combo = QComboBox()
        for name in CLASS_WEIGHT_CHOICES:
            self.weights_combo.addItem(name, name)
        self.weights_combo.setToolTip(HELP["class_weights"])
        self.weights_combo.currentIndexChanged.connect(self._on_field_changed)

        advanced_form = QFormLayout(self.advanced)
        advanced_form.setContentsMargins(12, 0, 0, 0)
        advanced_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, key, widget in (
            ("Epochs:", "epochs", self.epochs_spin),
            ("Batch size:", "batch_size", self.batch_spin),
            ("Max length:", "max_length", self.max_length_spin),
            ("Learning rate:", "learning_rate", self.rate_edit),
            ("Validation share:", "val_split", self.val_spin),
            ("Seed:", "seed", self.seed_spin),
            ("Patience:", "patience", self.patience_spin),
            ("Class weights:", "class_weights", self.weights_combo),
        ):
            advanced_form.addRow(_label(text, HELP[key]), widget)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.advanced_button)
        layout.addWidget(self.advanced)

        self.model_combo.activated.connect(self._on_model_activated)
        self.hub_edit.textEdited.connect(self._on_hub_edited)
        self.device_combo.currentIndexChanged.connect(self._on_field_changed)
        self.precision_combo.currentIndexChanged.connect(self._on_field_changed)
        self.preset_combo.currentIndexChanged.connect(self._on_preset_changed)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(DEFAULT_PRESET))
        self._on_preset_changed()
        self._show_model_name()

    def _spin(self, low: int, high: int, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setToolTip(tip)
        spin.setAccelerated(True)
        spin.valueChanged.connect(self._on_field_changed)
        return spin

    # -- public --------------------------------------------------------------------------------
    def config(self) -> TrainConfig:
        """The settings shown, as a config (raises :class:`TrainingError` for an unreadable field)."""
        base = PRESETS.get(self.preset_combo.currentData() or DEFAULT_PRESET, PRESETS[DEFAULT_PRESET])
        if self.model_combo.currentData() == HUB and not self.hub_edit.text().strip():
            raise TrainingError(
                "Type the Hugging Face hub id of the model to start from (e.g. bert-base-uncased), or choose another model."
            )
        rate_text = self.rate_edit.text().strip().replace(",", ".")
        try:
            rate = float(rate_text)
        except ValueError:
            raise TrainingError(f"Learning rate {rate_text!r} is not a number; write it like 1e-4 or 0.0001.") from None
        return base.replace(
            model=self.model_spec(),
            device=self.device_request(),
            precision=self.precision_combo.currentData() or "auto",
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            max_length=self.max_length_spin.value(),
            learning_rate=rate,
            val_split=self.val_spin.value() / 100.0,
            seed=self.seed_spin.value(),
            patience=self.patience_spin.value(),
            class_weights=self.weights_combo.currentData() or "auto",
        )

    def restore(self, config: TrainConfig) -> None:
        """Show a remembered config: its preset, then its advanced settings (not the model or
        device, which may not exist on this computer any more)."""
        index = self.preset_combo.findData(config.preset)
        if index >= 0:
            self.preset_combo.setCurrentIndex(index)  # fills the preset's values...
        self.apply_config(config)  # ...then the ones the user had changed
        self._on_field_changed()

    def apply_config(self, config: TrainConfig) -> None:
        """Show ``config``'s trainable settings in the advanced fields (not the model or device)."""
        self._filling = True
        try:
            self.epochs_spin.setValue(config.epochs)
            self.batch_spin.setValue(config.batch_size)
            self.max_length_spin.setValue(config.max_length)
            self.rate_edit.setText(format_rate(config.learning_rate))
            self.val_spin.setValue(int(round(config.val_split * 100)))
            self.seed_spin.setValue(config.seed)
            self.patience_spin.setValue(config.patience)
            self.weights_combo.setCurrentIndex(max(0, self.weights_combo.findData(config.class_weights)))
        finally:
            self._filling = False
        self.changed.emit()

    def device_request(self) -> str:
        """The device each training process asks for (``cuda`` for "All N GPUs": one each)."""
        data = self.device_combo.currentData() or "auto"
        if data == ALL_DEVICES and self._parallel is not None:
            return self._parallel.device
        return str(data)

    def processes(self) -> int:
        """How many processes train together: N for "All N GPUs", else 1 (in this process)."""
        if self.device_combo.currentData() == ALL_DEVICES and self._parallel is not None:
            return self._parallel.processes
        return 1

    def set_preset(self, name: str) -> None:
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(name))

    def model_spec(self) -> str:
        """``default``, a folder path or a hub id."""
        data = self.model_combo.currentData()
        if data == HUB:
            return self.hub_edit.text().strip()
        return data if data not in (None, BROWSE) else "default"

    def model_display_name(self) -> str:
        data = self.model_combo.currentData()
        if data == HUB:
            text = self.hub_edit.text().strip()
            return f"Hub: {text}" if text else "Hub: type a model id, e.g. bert-base-uncased"
        if data in (None, "default", BROWSE):
            return "Bundled with bertdesk; works offline."
        return f"Folder: {data}"

    def set_model_source(self, spec: str) -> None:
        """Choose ``default``, a model folder (added to the list) or a hub id."""
        spec = str(spec).strip()
        if spec in ("", "default"):
            index = 0
        elif Path(spec).expanduser().is_dir():
            index = self._folder_index(str(Path(spec).expanduser()))
        else:
            index = self.model_combo.findData(HUB)
            self.hub_edit.setText(spec)
        self.model_combo.setCurrentIndex(index)
        self._on_model_activated(index, browse=False)

    def set_devices(self, devices: Sequence[DeviceInfo] | None) -> None:
        """List ``auto`` plus the devices found; ``None``: still looking."""
        current = self.device_combo.currentData() or "auto"
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        if devices is None:
            self.device_combo.addItem("Auto (looking for devices…)", "auto")
        else:
            best = devices[0].describe() if devices else "CPU"
            self.device_combo.addItem(f"Auto: {best}", "auto")
            self._parallel = parallel_choice(devices)
            if self._parallel is not None:
                self.device_combo.addItem(self._parallel.label, ALL_DEVICES)
                self.device_combo.setItemData(
                    self.device_combo.count() - 1,
                    f"Train on {self._parallel.processes} processes at once (data-parallel, torchrun): "
                    "each takes its share of every batch, so the effective batch is the batch size times "
                    f"{self._parallel.processes}.",
                    Qt.ItemDataRole.ToolTipRole,
                )
            for device in devices:
                self.device_combo.addItem(device.describe(), device.torch_device)
                self.device_combo.setItemData(self.device_combo.count() - 1, device.describe(), Qt.ItemDataRole.ToolTipRole)
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(current)))
        self.device_combo.blockSignals(False)

    def select_device(self, torch_device: str) -> bool:
        index = self.device_combo.findData(torch_device)
        if index < 0:
            return False
        self.device_combo.setCurrentIndex(index)
        return True

    # -- slots ---------------------------------------------------------------------------------
    def _folder_index(self, path: str) -> int:
        index = self.model_combo.findData(path)
        if index < 0:
            index = self.model_combo.findData(BROWSE)  # folders go above "Model folder…"
            self.model_combo.insertItem(index, Path(path).name or path, path)
            self.model_combo.setItemData(index, path, Qt.ItemDataRole.ToolTipRole)
        return index

    def _on_model_activated(self, index: int, browse: bool = True) -> None:
        data = self.model_combo.itemData(index)
        if data == BROWSE and browse:
            folder = QFileDialog.getExistingDirectory(self, "Choose a model folder (with config.json and model.safetensors)")
            if not folder:
                self.model_combo.setCurrentIndex(self._last_model_index)
                return
            index = self._folder_index(folder)
            self.model_combo.setCurrentIndex(index)
            data = folder
        self._last_model_index = self.model_combo.currentIndex()
        self.hub_edit.setVisible(data == HUB)
        if data == HUB:
            self.hub_edit.setFocus()
        self._show_model_name()
        self.changed.emit()

    def _on_hub_edited(self, _text: str) -> None:
        self._show_model_name()
        self.changed.emit()

    def _show_model_name(self) -> None:
        self.model_name.setText(self.model_display_name())
        self.model_name.setToolTip(self.model_display_name())

    def _on_preset_changed(self, *_args: object) -> None:
        name = self.preset_combo.currentData() or DEFAULT_PRESET
        self.preset_note.setText(PRESET_HELP.get(name, ""))
        self.apply_config(PRESETS[name])

    def _on_field_changed(self, *_args: object) -> None:
        if self._filling:
            return
        name = self.preset_combo.currentData() or DEFAULT_PRESET
        try:
            shown = self.config()
            edited = shown != PRESETS[name].replace(model=shown.model, device=shown.device, precision=shown.precision)
        except TrainingError:
            edited = True
        self.preset_note.setText(PRESET_HELP.get(name, "") + ("\nChanged in the advanced settings." if edited else ""))
        self.changed.emit()

    def _on_advanced_toggled(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
