#!/usr/bin/env bash
# Build the Linux installer: the PyInstaller folder plus install/uninstall scripts, a menu
# entry and an icon, packed as linepaint-<version>[-cuda]-linux-x86_64.tar.gz.
#   packaging/build.sh
# Environment (all optional):
#   PYTHON             python of the build venv    (default: <repo>/.venv/bin/python)
#   BUILD_DIR          work, dist and tarball go   (default: /tmp/lp-build)
#   LINEPAINT_FLAVOUR  cpu | cuda: which torch the venv holds; cpu ships no CUDA library
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
BUILD_DIR=${BUILD_DIR:-/tmp/lp-build}
export LINEPAINT_FLAVOUR=${LINEPAINT_FLAVOUR:-cpu}
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$ROOT/linepaint/__init__.py")
[ -n "$VERSION" ] || { echo "build.sh: no __version__ in linepaint/__init__.py" >&2; exit 1; }
case $LINEPAINT_FLAVOUR in
    cpu) NAME=linepaint-$VERSION-linux-x86_64 ;;
    cuda) NAME=linepaint-$VERSION-cuda-linux-x86_64 ;;
    *) echo "build.sh: LINEPAINT_FLAVOUR must be cpu or cuda" >&2; exit 2 ;;
esac

# The venv's torch must match the flavour: a CUDA torch in a cpu build would ship without its
# libraries, a CPU torch in a cuda build would be a mislabelled CPU build.
"$PYTHON" - "$LINEPAINT_FLAVOUR" <<'EOF'
import sys, torch
cuda = torch.version.cuda is not None
if cuda != (sys.argv[1] == "cuda"):
    sys.exit(f"build.sh: LINEPAINT_FLAVOUR={sys.argv[1]} but the build venv has torch {torch.__version__}")
EOF

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$BUILD_DIR/dist" --workpath "$BUILD_DIR/work" "$ROOT/packaging/linepaint.spec"

# torch's own libraries ship full symbol tables (about 100 MB); removing them keeps the dynamic
# symbols and everything torch loads.  PyInstaller's strip=True stays off: it breaks numpy's
# OpenBLAS (DESIGN §9).
strip --strip-unneeded "$BUILD_DIR"/dist/linepaint/_internal/torch/lib/lib{torch_cpu,torch_python}.so

STAGE=$BUILD_DIR/stage/$NAME
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -R "$BUILD_DIR/dist/linepaint" "$STAGE/app"
cp "$ROOT/packaging/linux/install.sh" "$ROOT/packaging/linux/uninstall.sh" \
   "$ROOT/packaging/linux/linepaint.desktop" "$ROOT/packaging/linux/linepaint-mime.xml" \
   "$ROOT/packaging/linepaint.png" "$ROOT/packaging/linepaint.svg" "$STAGE/"
chmod 755 "$STAGE/install.sh" "$STAGE/uninstall.sh"

# The frozen app must at least start before it is packed.
"$STAGE/app/linepaint" --version

TARBALL=$BUILD_DIR/$NAME.tar.gz
tar -C "$BUILD_DIR/stage" -czf "$TARBALL" "$NAME"
echo "app folder: $(du -sh "$STAGE/app" | cut -f1)  tarball: $(du -sh "$TARBALL" | cut -f1)  \
built in $(( $(date +%s) - start )) s"
echo "$TARBALL"
