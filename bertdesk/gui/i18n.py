"""The interface language: bertdesk's own translations and Qt's, chosen from the system locale
unless View > Language overrides it (remembered in the settings).

Translations live in ``resources/i18n/bertdesk_<lang>.qm``, compiled by ``pyside6-lrelease`` from the
``.ts`` files that ``pyside6-lupdate`` keeps in step with the code (see ``packaging/update-translations.sh``).
Qt's own ``qtbase_<lang>.qm`` (shipped in PySide6's wheel) translates the standard dialogs' buttons
(Yes, No, Cancel, Open...).

How strings are marked, so that lupdate finds them (it reads the source; f-strings cannot be
looked up): ``self.tr("{n} rows").format(n=...)`` in a QObject's methods; elsewhere
``QCoreApplication.translate("Context", "...")``; module constants with
``QT_TRANSLATE_NOOP("Context", "...")``, translated where they are shown.

A change of language takes effect at the next start: every widget builds its text once, and a
restart is what a user expects from a desktop app's language switch.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from bertdesk.core.resources import resource_path

log = logging.getLogger(__name__)

# The languages the interface is translated into, each named in itself (as a language menu shows them).
ENGLISH = "en"
LANGUAGES: dict[str, str] = {ENGLISH: "English", "zh_CN": "简体中文"}
SYSTEM = ""  # the setting's value for "follow the system locale"

_installed: list[QTranslator] = []  # kept alive while installed (Qt does not own them)
_current: list[str] = [ENGLISH]  # the language install_translators last put in place (a one-item box)


def current_language() -> str:
    """The language the interface is shown in: the one :func:`install_translators` last
    installed bertdesk's translation for, English until then (or when that file was missing)."""
    return _current[0]


def translation_file(language: str) -> Path:
    """bertdesk's compiled translation for ``language`` (may not exist: English has none)."""
    return resource_path("i18n", f"bertdesk_{language}.qm")


def system_language(locale: QLocale | None = None) -> str:
    """The translated language that fits the system locale best, English when none does.

    Any Chinese written in simplified characters (zh_CN, zh_SG, zh_Hans_*) gets zh_CN;
    traditional Chinese (zh_TW, zh_HK) is a different written language and gets English.
    """
    locale = locale or QLocale.system()
    if locale.language() == QLocale.Language.Chinese and locale.script() != QLocale.Script.TraditionalChineseScript:
        territory = locale.territory()
        if territory not in (QLocale.Country.Taiwan, QLocale.Country.HongKong, QLocale.Country.Macao):
            return "zh_CN"
    return ENGLISH


def chosen_language(setting: str | None, locale: QLocale | None = None) -> str:
    """The language to show: the user's choice in View > Language, else the system's."""
    if setting and setting in LANGUAGES:
        return setting
    return system_language(locale)


def _qt_translation(name: str) -> Path:
    """Qt's own translation file ``name``: where QLibraryInfo says, else in PySide6's package
    (where the desktop bundle puts it, whatever qt.conf the freezer wrote)."""
    import PySide6

    folders = (Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), Path(PySide6.__file__).parent / "Qt" / "translations")
    return next((folder / name for folder in folders if (folder / name).is_file()), folders[0] / name)


def install_translators(app: QCoreApplication, language: str) -> list[str]:
    """Install bertdesk's and Qt's translations for ``language`` on ``app`` (replacing earlier
    ones); return the files loaded. A missing or broken file leaves that part in English."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _current[0] = ENGLISH
    if language == ENGLISH:
        return []
    loaded: list[str] = []
    for path in (translation_file(language), _qt_translation(f"qtbase_{language}.qm")):
        translator = QTranslator(app)
        if path.is_file() and translator.load(str(path)):
            app.installTranslator(translator)
            _installed.append(translator)
            loaded.append(str(path))
            if path == translation_file(language):
                _current[0] = language  # bertdesk's own strings (and so its guide) are in it
        else:
            log.warning("no %s translation at %s: that part stays in English", language, path)
    return loaded
