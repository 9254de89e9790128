#!/usr/bin/env bash
# Keep the translations in step with the code (run after changing any visible string):
#   1. pyside6-lupdate collects every self.tr / QCoreApplication.translate / QT_TRANSLATE_NOOP
#      string of the GUI into resources/i18n/bertdesk_<lang>.ts (new ones marked unfinished,
#      vanished ones dropped);
#   2. translate the unfinished ones (Qt Linguist: pyside6-linguist FILE.ts, or any editor);
#   3. pyside6-lrelease compiles each .ts into the .qm the app loads.
# tests/gui/test_translations.py fails while a string is missing from a .ts or left unfinished.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t sources < <(find bertdesk/gui bertdesk/app.py -name '*.py' | sort)
for ts in resources/i18n/bertdesk_*.ts; do
    pyside6-lupdate "${sources[@]}" -ts "$ts" -no-obsolete -locations none
    pyside6-lrelease "$ts" -qm "${ts%.ts}.qm"
done
