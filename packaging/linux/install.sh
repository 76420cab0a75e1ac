#!/bin/sh
# Install linepaint from this unpacked tarball.
#   ./install.sh               for you:        ~/.local/opt/linepaint, ~/.local/bin/linepaint, menu entry
#   sudo ./install.sh --system for everyone:   /opt/linepaint, /usr/local/bin/linepaint, /usr/share/...
#   ./install.sh --prefix DIR  anywhere:       DIR/opt/linepaint, DIR/bin/linepaint, DIR/share/...
# Installing again replaces the previous install.  Remove with <app folder>/uninstall.sh.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX="${HOME}/.local"
BIN_DIR="" SHARE_DIR="" APP_DIR=""
while [ $# -gt 0 ]; do
    case "$1" in
        --system) APP_DIR=/opt/linepaint BIN_DIR=/usr/local/bin SHARE_DIR=/usr/share ;;
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }
                  PREFIX=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
        -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
APP_DIR=${APP_DIR:-$PREFIX/opt/linepaint}
BIN_DIR=${BIN_DIR:-$PREFIX/bin}
SHARE_DIR=${SHARE_DIR:-$PREFIX/share}

[ -x "$HERE/app/linepaint" ] || { echo "install.sh: $HERE/app/linepaint is missing: unpack the whole tarball" >&2; exit 1; }
if [ -x "$APP_DIR/uninstall.sh" ]; then
    echo "Replacing the linepaint installed in $APP_DIR"
    "$APP_DIR/uninstall.sh" --quiet
elif [ -e "$APP_DIR" ]; then
    echo "install.sh: $APP_DIR exists and is not a linepaint install; not touching it" >&2
    exit 1
fi

BIN="$BIN_DIR/linepaint"
DESKTOP="$SHARE_DIR/applications/linepaint.desktop"
MIME="$SHARE_DIR/mime/packages/linepaint.xml"
ICON_PNG="$SHARE_DIR/icons/hicolor/256x256/apps/linepaint.png"
ICON_SVG="$SHARE_DIR/icons/hicolor/scalable/apps/linepaint.svg"
for f in "$BIN" "$DESKTOP" "$MIME" "$ICON_PNG" "$ICON_SVG"; do
    if [ -e "$f" ] || [ -L "$f" ]; then
        echo "install.sh: $f already exists (another linepaint?); remove it first" >&2
        exit 1
    fi
done

mkdir -p "$(dirname "$APP_DIR")" "$BIN_DIR" "$(dirname "$DESKTOP")" "$(dirname "$MIME")" \
    "$(dirname "$ICON_PNG")" "$(dirname "$ICON_SVG")"
cp -R "$HERE/app" "$APP_DIR"
cp "$HERE/uninstall.sh" "$APP_DIR/uninstall.sh"
chmod 755 "$APP_DIR/uninstall.sh"
ln -s "$APP_DIR/linepaint" "$BIN"
sed "s|@APP_DIR@|$APP_DIR|g" "$HERE/linepaint.desktop" > "$DESKTOP"
cp "$HERE/linepaint-mime.xml" "$MIME"
cp "$HERE/linepaint.png" "$ICON_PNG"
cp "$HERE/linepaint.svg" "$ICON_SVG"
# What uninstall.sh removes besides the app folder: exactly these files, nothing else.
printf '%s\n' "$BIN" "$DESKTOP" "$MIME" "$ICON_PNG" "$ICON_SVG" > "$APP_DIR/installed-files.txt"

# Menus, file types and icons refresh when the desktop's tools are there; harmless otherwise.
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE_DIR/applications" || true
command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$SHARE_DIR/mime" >/dev/null 2>&1 || true
# An icon cache is refreshed only where one exists: a new one in ~/.local would go stale.
[ -f "$SHARE_DIR/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1 &&
    gtk-update-icon-cache -q -t "$SHARE_DIR/icons/hicolor" || true

echo "Installed linepaint in $APP_DIR"
echo "  command:   $BIN"
echo "  menu:      $DESKTOP"
echo "  uninstall: $APP_DIR/uninstall.sh"
case ":$PATH:" in *":$BIN_DIR:"*) ;; *) echo "Note: $BIN_DIR is not on your PATH." ;; esac
