#!/usr/bin/env bash
# Install (or remove) bertdesk's desktop entry, MIME type and icons for the current user,
# under ${XDG_DATA_HOME:-~/.local/share}. Safe to run again: every step overwrites.
#
#   packaging/install-desktop-entry.sh                 # install
#   packaging/install-desktop-entry.sh --exec PATH     # use PATH as the command to start bertdesk
#   packaging/install-desktop-entry.sh --uninstall     # remove what install put there
#   dist/bertdesk/install-desktop-entry.sh             # from the desktop bundle: starts dist/bertdesk/bertdesk
#
# Uses xdg-desktop-menu, xdg-mime and xdg-icon-resource (xdg-utils) when they are installed and
# plain cp otherwise. Set BERTDESK_NO_XDG=1 to force the cp path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
icons="$here/../resources/icons"
bundle_exec=""
# Run from inside the desktop bundle (dist/bertdesk/, see build-bundle.sh): the icons are in the
# bundle's _internal/ folder and the entry starts the bundle's executable unless --exec says otherwise.
if [ -x "$here/bertdesk" ] && [ -d "$here/_internal/bertdesk/resources/icons" ]; then
    icons="$here/_internal/bertdesk/resources/icons"
    bundle_exec="$here/bertdesk"
fi
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"

usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

mode=install
exec_cmd=""
while [ $# -gt 0 ]; do
    case "$1" in
        --uninstall) mode=uninstall ;;
        --exec) [ $# -ge 2 ] || { echo "--exec needs a path" >&2; exit 2; }; exec_cmd="$2"; shift ;;
        --exec=*) exec_cmd="${1#--exec=}" ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

have() { [ "${BERTDESK_NO_XDG:-0}" != 1 ] && command -v "$1" >/dev/null 2>&1; }
say() { printf '  %s\n' "$*"; }

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$data_home/applications" 2>/dev/null || true
    fi
    if command -v update-mime-database >/dev/null 2>&1 && [ -d "$data_home/mime/packages" ]; then
        update-mime-database "$data_home/mime" >/dev/null 2>&1 || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$data_home/icons/hicolor" ]; then
        gtk-update-icon-cache -q -t -f "$data_home/icons/hicolor" 2>/dev/null || true
    fi
}

if [ "$mode" = uninstall ]; then
    echo "Removing bertdesk's desktop entry from $data_home"
    if have xdg-desktop-menu; then
        xdg-desktop-menu uninstall --mode user bertdesk.desktop 2>/dev/null || true
    fi
    if have xdg-mime; then
        xdg-mime uninstall --mode user "$here/bertdesk-mime.xml" 2>/dev/null || true
    fi
    rm -f "$data_home/applications/bertdesk.desktop" \
          "$data_home/mime/packages/bertdesk-mime.xml" \
          "$data_home/icons/hicolor/256x256/apps/bertdesk.png" \
          "$data_home/icons/hicolor/64x64/apps/bertdesk.png" \
          "$data_home/icons/hicolor/scalable/apps/bertdesk.svg" \
          "$data_home/icons/hicolor/scalable/mimetypes/application-x-bertdesk-project.svg"
    refresh_caches
    echo "Done."
    exit 0
fi

for f in "$here/bertdesk.desktop" "$here/bertdesk-mime.xml" "$icons/bertdesk.svg" \
         "$icons/bertdesk-256.png" "$icons/bertdesk-64.png"; do
    [ -f "$f" ] || { echo "missing $f (run this script from a bertdesk checkout)" >&2; exit 1; }
done

# The desktop session's PATH often lacks a virtual environment's bin/, so write the command's
# absolute path into Exec/TryExec when we can find it.
if [ -z "$exec_cmd" ] && [ -n "$bundle_exec" ]; then
    exec_cmd="$bundle_exec"
elif [ -z "$exec_cmd" ] && command -v bertdesk >/dev/null 2>&1; then
    exec_cmd="$(command -v bertdesk)"
fi
case "$exec_cmd" in
    *[[:space:]]*) echo "the bertdesk command's path must not contain spaces: $exec_cmd" >&2; exit 2 ;;
esac

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ -n "$exec_cmd" ]; then
    sed -e "s|^Exec=bertdesk |Exec=$exec_cmd |" -e "s|^TryExec=bertdesk\$|TryExec=$exec_cmd|" \
        "$here/bertdesk.desktop" >"$tmp/bertdesk.desktop"
else
    cp "$here/bertdesk.desktop" "$tmp/bertdesk.desktop"
fi

echo "Installing bertdesk's desktop entry into $data_home"

# Icons: the PNGs through xdg-icon-resource when available; the SVG always by copy
# (xdg-icon-resource has no "scalable" size).
if have xdg-icon-resource; then
    for size in 256 64; do
        xdg-icon-resource install --noupdate --novendor --mode user --context apps \
            --size "$size" "$icons/bertdesk-$size.png" bertdesk
    done
    xdg-icon-resource forceupdate --mode user
    say "icons (xdg-icon-resource)"
else
    for size in 256 64; do
        install -D -m 644 "$icons/bertdesk-$size.png" \
            "$data_home/icons/hicolor/${size}x${size}/apps/bertdesk.png"
    done
    say "icons (cp)"
fi
install -D -m 644 "$icons/bertdesk.svg" "$data_home/icons/hicolor/scalable/apps/bertdesk.svg"
install -D -m 644 "$icons/bertdesk.svg" \
    "$data_home/icons/hicolor/scalable/mimetypes/application-x-bertdesk-project.svg"

# MIME type application/x-bertdesk-project (*.bertdesk).
if have xdg-mime; then
    xdg-mime install --mode user --novendor "$here/bertdesk-mime.xml"
    say "MIME type application/x-bertdesk-project (xdg-mime)"
else
    install -D -m 644 "$here/bertdesk-mime.xml" "$data_home/mime/packages/bertdesk-mime.xml"
    say "MIME type application/x-bertdesk-project (cp)"
fi

# Desktop entry.
if have xdg-desktop-menu; then
    xdg-desktop-menu install --mode user --novendor "$tmp/bertdesk.desktop"
    say "desktop entry (xdg-desktop-menu)"
else
    install -D -m 644 "$tmp/bertdesk.desktop" "$data_home/applications/bertdesk.desktop"
    say "desktop entry (cp)"
fi

refresh_caches

# bertdesk opens its own project files by default (CSV and Excel keep their current default).
if have xdg-mime; then
    xdg-mime default bertdesk.desktop application/x-bertdesk-project 2>/dev/null || true
fi

if [ -n "$exec_cmd" ]; then
    say "starts: $exec_cmd"
else
    echo "Note: no 'bertdesk' command on PATH yet; the menu entry stays hidden until there is one." >&2
    echo "      Install bertdesk first, or rerun with --exec /path/to/bertdesk." >&2
fi
echo "Done."
