#!/bin/sh
# Remove the linepaint installed beside this script: the files listed in installed-files.txt
# (command link, menu entry, file type, icons), then the app folder itself.
set -eu

APP_DIR=$(cd "$(dirname "$0")" && pwd)
QUIET=""
[ "${1:-}" = "--quiet" ] && QUIET=1
LIST="$APP_DIR/installed-files.txt"
if [ ! -x "$APP_DIR/linepaint" ] || [ ! -f "$LIST" ]; then
    echo "uninstall.sh: $APP_DIR does not look like a linepaint install; not touching it" >&2
    exit 1
fi

while IFS= read -r f; do
    [ -n "$f" ] || continue
    if [ -L "$f" ] || [ -f "$f" ]; then
        rm -f "$f"
    fi
    case "$f" in  # refresh the desktop's caches for the folder we changed
        */applications/*) command -v update-desktop-database >/dev/null 2>&1 &&
            update-desktop-database -q "$(dirname "$f")" || true ;;
        */mime/packages/*) command -v update-mime-database >/dev/null 2>&1 &&
            update-mime-database "$(dirname "$(dirname "$f")")" >/dev/null 2>&1 || true ;;
        */icons/hicolor/256x256/*) cache="${f%/256x256/*}/icon-theme.cache"
            [ -f "$cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1 &&
            gtk-update-icon-cache -q -t "$(dirname "$cache")" || true ;;
    esac
done < "$LIST"
rm -rf "$APP_DIR"
[ -n "$QUIET" ] || echo "Removed linepaint from $APP_DIR"
