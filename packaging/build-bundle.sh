#!/usr/bin/env bash
# Build bertdesk's one-folder desktop bundle with PyInstaller: dist/bertdesk/, whose executable
# dist/bertdesk/bertdesk runs the app and every CLI command with no Python installed.
#
#   packaging/build-bundle.sh          # build dist/bertdesk/ (replaces a bundle this script built)
#   packaging/build-bundle.sh --tar    # ... and dist/bertdesk-VERSION-linux-x86_64.tar.gz
#
# Run it from any folder, with the Python environment bertdesk is installed in (pip install -e
# '.[bundle]'). It installs PyInstaller if missing, writes only build/bundle/ (PyInstaller's work
# folder), dist/bertdesk/ and, with --tar, the archive; it refuses to replace a dist/bertdesk/
# or build/bundle/ it did not write. Prints the build time and the sizes.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
python="${PYTHON:-python}"
marker=".built-by-build-bundle"  # written into dist/bertdesk and build/bundle: ours to replace

make_tar=0
for arg in "$@"; do
    case "$arg" in
        --tar) make_tar=1 ;;
        -h|--help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "build-bundle.sh: unknown argument: $arg (use --tar or --help)" >&2; exit 2 ;;
    esac
done

for dir in dist/bertdesk build/bundle; do
    if [ -e "$dir" ] && [ ! -f "$dir/$marker" ]; then
        echo "build-bundle.sh: $repo/$dir exists and was not written by this script; move it away first." >&2
        exit 1
    fi
done

if ! "$python" -c "import PyInstaller" 2>/dev/null; then
    echo "Installing PyInstaller (the 'bundle' extra of pyproject.toml)..."
    "$python" -m pip install --quiet "pyinstaller>=6.11,<7"
fi
version="$("$python" -c 'import bertdesk; print(bertdesk.__version__)')"

# Remove only what this script wrote before (checked above), then build.
rm -rf dist/bertdesk build/bundle
mkdir -p build/bundle dist
touch "build/bundle/$marker"
start=$(date +%s)
# PYTHONPATH: the bertdesk of this checkout, whatever the environment has installed.
PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}" "$python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/bundle packaging/bertdesk.spec
touch "dist/bertdesk/$marker"

# The desktop-entry installer beside the executable: run from here, it installs an entry that
# starts this bundle (it finds the icons inside _internal/).
install -m 755 packaging/install-desktop-entry.sh dist/bertdesk/
install -m 644 packaging/bertdesk.desktop packaging/bertdesk-mime.xml dist/bertdesk/

# Prune what the spec's filter cannot reach: caches, and tests folders shipped as data.
find dist/bertdesk -name '__pycache__' -type d -prune -exec rm -rf {} +
find dist/bertdesk/_internal -type d \( -name tests -o -name testing_data \) -path '*/_internal/*' \
    -not -path '*/torch/*' -prune -exec rm -rf {} +
# Symbol tables nobody reads in a bundle: libtorch_cpu carries 89 MB of them, libpython 17 MB of
# debug information. Only these, by name: PyInstaller's strip=True would strip every library,
# including the patchelf-edited ones in numpy.libs / scipy.libs, which strip can break.
for lib in dist/bertdesk/_internal/torch/lib/libtorch_cpu.so dist/bertdesk/_internal/torch/lib/libtorch_python.so \
           dist/bertdesk/_internal/libpython3*.so*; do
    if [ -f "$lib" ] && command -v strip >/dev/null 2>&1; then
        strip --strip-unneeded "$lib"
    fi
done
elapsed=$(( $(date +%s) - start ))

echo "Built dist/bertdesk/ (bertdesk $version) in ${elapsed} s."
echo "Unpacked size: $(du -sh --apparent-size dist/bertdesk | cut -f1) (du -sh --apparent-size dist/bertdesk)"
if [ "$make_tar" = 1 ]; then
    tarball="dist/bertdesk-$version-linux-x86_64.tar.gz"
    if [ -e "$tarball" ] && ! tar -tzf "$tarball" "bertdesk/$marker" >/dev/null 2>&1; then
        echo "build-bundle.sh: $tarball exists and was not written by this script; move it away first." >&2
        exit 1
    fi
    trap 'rm -f "$tarball.part"' EXIT  # a failed or interrupted tar leaves no half archive
    tar -C dist -czf "$tarball.part" bertdesk
    mv -f "$tarball.part" "$tarball"
    trap - EXIT
    echo "Archive: $tarball, $(du -sh --apparent-size "$tarball" | cut -f1)"
fi
