"""The training settings form: model source, device, precision, preset and advanced settings.

:meth:`TrainSettingsWidget.config` turns what is shown into a
:class:`~bertdesk.core.ml.training_config.TrainConfig`. Choosing a preset fills the advanced fields;
the settings that have no field (warm-up, weight decay, ...) come from the preset. Nothing here
imports torch: the device list arrives from outside (:meth:`set_devices`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QLabel, QLineEdit, QSpinBox, QToolButton, QVBoxLayout, QWidget

from bertdesk.core.errors import TrainingError
from bertdesk.core.ml.devices import GIB
from bertdesk.core.ml.distributed import ParallelChoice, parallel_choice
from bertdesk.core.ml.training_config import CLASS_WEIGHT_CHOICES, DEFAULT_PRESET, HELP, PRESETS, TrainConfig

if TYPE_CHECKING:
    from bertdesk.core.ml.devices import DeviceInfo

CONTEXT = "TrainSettingsWidget"  # the translation context of this module's constants
BUNDLED_NAME = QT_TRANSLATE_NOOP("TrainSettingsWidget", "all-MiniLM-L6-v2 (bundled)")
BROWSE, HUB = "<browse>", "<hub>"
ALL_DEVICES = "<all devices>"  # "All N GPUs": a torchrun child process, one process per GPU
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
PRECISION_HELP = {
    "auto": QT_TRANSLATE_NOOP("TrainSettingsWidget", "auto (best for the device)"),
    "fp32": QT_TRANSLATE_NOOP("TrainSettingsWidget", "fp32 (full precision)"),
    "bf16": QT_TRANSLATE_NOOP("TrainSettingsWidget", "bf16 (mixed)"),
    "fp16": QT_TRANSLATE_NOOP("TrainSettingsWidget", "fp16 (mixed, GPU only)"),
}
# The presets' names as shown (the stored names stay English: they are what configs and the CLI use).
PRESET_NAMES = {
    "Fast": QT_TRANSLATE_NOOP("TrainSettingsWidget", "Fast"),
    "Balanced": QT_TRANSLATE_NOOP("TrainSettingsWidget", "Balanced"),
    "Thorough": QT_TRANSLATE_NOOP("TrainSettingsWidget", "Thorough"),
}
PRESET_HELP = {
    "Fast": QT_TRANSLATE_NOOP("TrainSettingsWidget", "A first look in a minute or two: fewer epochs, shorter texts."),
    "Balanced": QT_TRANSLATE_NOOP("TrainSettingsWidget", "Good defaults for most tables."),
    "Thorough": QT_TRANSLATE_NOOP("TrainSettingsWidget", "Longer texts, more epochs: for the model you will keep."),
}
CLASS_WEIGHT_NAMES = {
    "auto": QT_TRANSLATE_NOOP("TrainSettingsWidget", "auto"),
    "balanced": QT_TRANSLATE_NOOP("TrainSettingsWidget", "balanced"),
    "none": QT_TRANSLATE_NOOP("TrainSettingsWidget", "none"),
}
# The tooltips: core's HELP (tests/gui/test_train_settings_text.py keeps the English the same), translatable.
HELP_TEXT = {
    "model": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget",
        "The model to start from: the bundled all-MiniLM-L6-v2, a model folder, or a Hugging Face hub id (needs internet).",
    ),
    "epochs": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget",
        "How many times training reads every labelled row, at most. Training stops sooner when the validation score stops improving.",
    ),
    "batch_size": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "How many rows the model learns from at once. Bigger is faster on a GPU but needs more memory."
    ),
    "max_length": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "How many tokens (word pieces) of each text the model reads. Longer texts are cut; more is slower."
    ),
    "learning_rate": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "How big each learning step is. Too high and training is unstable; too low and it learns slowly."
    ),
    "val_split": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget",
        "Share of labelled rows kept aside to measure the model. They are chosen at random, in proportion to each label.",
    ),
    "seed": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "Fixes the random choices (split, start weights, order) so the same settings give the same model."
    ),
    "device": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "Where to train: a GPU is many times faster than the CPU. Auto picks the best one found."
    ),
    "precision": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "Number format. bf16/fp16 are faster where the hardware supports them, with the same accuracy in practice."
    ),
    "patience": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "Stop after this many evaluations without a better validation score (0: never stop early)."
    ),
    "class_weights": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "Give rare labels more weight so the model does not just learn to predict the common ones."
    ),
    "preset": QT_TRANSLATE_NOOP(
        "TrainSettingsWidget", "A starting point for the settings below. Changing it fills in the advanced settings."
    ),
}


def _t(text: str) -> str:
    """``text`` (one of this module's marked constants) in the interface language."""
    return QCoreApplication.translate(CONTEXT, text)


def help_text(key: str) -> str:
    """The tooltip of setting ``key``, translated (core's English HELP where the GUI has none)."""
    return _t(HELP_TEXT[key]) if key in HELP_TEXT else HELP.get(key, "")


def preset_name(name: str) -> str:
    """A preset's name as shown (an unknown one as it is)."""
    return _t(PRESET_NAMES[name]) if name in PRESET_NAMES else name


def device_text(device: DeviceInfo) -> str:
    """:meth:`DeviceInfo.describe` as the GUI shows it: the same words in English, translatable."""
    if device.kind == "cuda":
        memory = ""
        if device.total_bytes:
            memory = QCoreApplication.translate("TrainSettingsWidget", " ({free:.1f} GiB free of {total:.1f} GiB)").format(
                free=(device.free_bytes or 0) / GIB, total=device.total_bytes / GIB
            )
        return QCoreApplication.translate("TrainSettingsWidget", "GPU {device}: {name}{memory}").format(
            device=device.torch_device, name=device.name, memory=memory
        )
    if device.kind == "mps":
        return QCoreApplication.translate("TrainSettingsWidget", "Apple GPU (MPS): {name}").format(name=device.name)
    name = device.name
    cores = re.fullmatch(r"(.*), (\d+) cores", name)  # core's "AMD EPYC, 2 cores": the count is words
    if cores is not None:
        name = QCoreApplication.translate("TrainSettingsWidget", "{cpu}, {cores} cores").format(cpu=cores[1], cores=cores[2])
    return QCoreApplication.translate("TrainSettingsWidget", "CPU: {name}").format(name=name) + (" (bf16)" if device.bf16 else "")


def parallel_text(choice: ParallelChoice, devices: Sequence[DeviceInfo]) -> str:
    """:attr:`ParallelChoice.label` as the GUI shows it: the same words in English, translatable."""
    if choice.device == "cpu":
        return QCoreApplication.translate("TrainSettingsWidget", "All {n} CPU processes (torchrun, gloo)").format(n=choice.processes)
    names = sorted({device.name for device in devices if device.kind == "cuda"})
    return QCoreApplication.translate("TrainSettingsWidget", "All {n} GPUs ({names}; torchrun)").format(
        n=choice.processes, names=", ".join(names)
    )


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
        self.model_combo.addItem(_t(BUNDLED_NAME), "default")
        self.model_combo.addItem(self.tr("Model folder…"), BROWSE)
        self.model_combo.addItem(self.tr("Hugging Face hub id…"), HUB)
        self.model_combo.setToolTip(help_text("model"))
        self.hub_edit = QLineEdit()
        self.hub_edit.setPlaceholderText(self.tr("e.g. bert-base-uncased (needs internet)"))
        self.hub_edit.setToolTip(help_text("model"))
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
        self.device_combo.setToolTip(help_text("device"))
        self.device_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device_combo.setMinimumContentsLength(16)
        self.set_devices(None)
        self.precision_combo = QComboBox()
        for name in PRECISIONS:
            self.precision_combo.addItem(_t(PRECISION_HELP[name]), name)
        self.precision_combo.setToolTip(help_text("precision"))

        # -- preset ----------------------------------------------------------------------------
        self.preset_combo = QComboBox()
        for name in PRESETS:
            self.preset_combo.addItem(preset_name(name), name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, self._preset_help(name), Qt.ItemDataRole.ToolTipRole)
        self.preset_combo.setToolTip(help_text("preset"))
        self.preset_note = _label("")
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color: palette(mid);")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_label(self.tr("Model:"), help_text("model")), model_box)
        form.addRow(_label(self.tr("Device:"), help_text("device")), self.device_combo)
        form.addRow(_label(self.tr("Precision:"), help_text("precision")), self.precision_combo)
        form.addRow(_label(self.tr("Preset:"), help_text("preset")), self.preset_combo)
        form.addRow("", self.preset_note)

        # -- advanced (collapsed) ----------------------------------------------------------------
        self.advanced_button = QToolButton()
        self.advanced_button.setText(self.tr("Advanced settings"))
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setAutoRaise(True)
        self.advanced_button.toggled.connect(self._on_advanced_toggled)
        self.advanced = QWidget()
        self.advanced.setVisible(False)

        self.epochs_spin = self._spin(1, 1000, help_text("epochs"))
        self.batch_spin = self._spin(1, 4096, help_text("batch_size"))
        self.max_length_spin = self._spin(8, 8192, help_text("max_length"))
        self.max_length_spin.setSuffix(self.tr(" tokens"))
        self.rate_edit = QLineEdit()
        validator = QDoubleValidator(1e-9, 0.999, 9, self.rate_edit)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.rate_edit.setValidator(validator)
        self.rate_edit.setToolTip(help_text("learning_rate"))
        self.rate_edit.textEdited.connect(self._on_field_changed)
        self.val_spin = self._spin(0, 89, help_text("val_split"))
        self.val_spin.setSuffix(" %")
        self.seed_spin = self._spin(0, 2**31 - 1, help_text("seed"))
        self.patience_spin = self._spin(0, 1000, help_text("patience"))
        self.patience_spin.setSpecialValueText(self.tr("never stop early"))
        self.weights_combo = QComboBox()
        for name in CLASS_WEIGHT_CHOICES:
            self.weights_combo.addItem(_t(CLASS_WEIGHT_NAMES[name]) if name in CLASS_WEIGHT_NAMES else name, name)
        self.weights_combo.setToolTip(help_text("class_weights"))
        self.weights_combo.currentIndexChanged.connect(self._on_field_changed)

        advanced_form = QFormLayout(self.advanced)
        advanced_form.setContentsMargins(12, 0, 0, 0)
        advanced_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, key, widget in (
            (self.tr("Epochs:"), "epochs", self.epochs_spin),
            (self.tr("Batch size:"), "batch_size", self.batch_spin),
            (self.tr("Max length:"), "max_length", self.max_length_spin),
            (self.tr("Learning rate:"), "learning_rate", self.rate_edit),
            (self.tr("Validation share:"), "val_split", self.val_spin),
            (self.tr("Seed:"), "seed", self.seed_spin),
            (self.tr("Patience:"), "patience", self.patience_spin),
            (self.tr("Class weights:"), "class_weights", self.weights_combo),
        ):
            advanced_form.addRow(_label(text, help_text(key)), widget)

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
                self.tr("Type the Hugging Face hub id of the model to start from (e.g. bert-base-uncased), or choose another model.")
            )
        rate_text = self.rate_edit.text().strip().replace(",", ".")
        try:
            rate = float(rate_text)
        except ValueError:
            raise TrainingError(
                self.tr("Learning rate {rate!r} is not a number; write it like 1e-4 or 0.0001.").format(rate=rate_text)
            ) from None
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
            return self.tr("Hub: {id}").format(id=text) if text else self.tr("Hub: type a model id, e.g. bert-base-uncased")
        if data in (None, "default", BROWSE):
            return self.tr("Bundled with bertdesk; works offline.")
        return self.tr("Folder: {path}").format(path=data)

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
            self.device_combo.addItem(self.tr("Auto (looking for devices…)"), "auto")
        else:
            best = device_text(devices[0]) if devices else "CPU"
            self.device_combo.addItem(self.tr("Auto: {device}").format(device=best), "auto")
            self._parallel = parallel_choice(devices)
            if self._parallel is not None:
                self.device_combo.addItem(parallel_text(self._parallel, devices), ALL_DEVICES)
                self.device_combo.setItemData(
                    self.device_combo.count() - 1,
                    self.tr(
                        "Train on {n} processes at once (data-parallel, torchrun): "
                        "each takes its share of every batch, so the effective batch is the batch size times {n}."
                    ).format(n=self._parallel.processes),
                    Qt.ItemDataRole.ToolTipRole,
                )
            for device in devices:
                self.device_combo.addItem(device_text(device), device.torch_device)
                self.device_combo.setItemData(self.device_combo.count() - 1, device_text(device), Qt.ItemDataRole.ToolTipRole)
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
            folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a model folder (with config.json and model.safetensors)"))
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
        self.preset_note.setText(self._preset_help(name))
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
        self.preset_note.setText(self._preset_help(name) + ("\n" + self.tr("Changed in the advanced settings.") if edited else ""))
        self.changed.emit()

    @staticmethod
    def _preset_help(name: str) -> str:
        return _t(PRESET_HELP[name]) if name in PRESET_HELP else ""

    def _on_advanced_toggled(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
