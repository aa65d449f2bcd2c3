#!/bin/sh
# Per-user install of the IMR Desktop Linux bundle: no root, nothing outside ~/.local.
#   ./install.sh            install (or update) from the unpacked tarball
#   ./install.sh --uninstall
# The bundle goes to ~/.local/lib/imrdesktop, a link to ~/.local/bin/imrdesktop, and the
# .desktop, AppStream, MIME and icon files to ~/.local/share.
set -eu
ID=org.healthadvocates.IMRDesktop
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
LIB=$HOME/.local/lib/imrdesktop
BIN=$HOME/.local/bin

refresh() {
  command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$DATA/mime" || true
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$DATA/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$LIB"
  rm -f "$BIN/imrdesktop" "$DATA/applications/$ID.desktop" "$DATA/metainfo/$ID.metainfo.xml" \
        "$DATA/mime/packages/$ID-mime.xml" "$DATA/icons/hicolor/scalable/apps/$ID.svg"
  refresh
  echo "IMR Desktop removed (your vault and settings were not touched)."
  exit 0
fi

[ -x "$HERE/imrdesktop/imrdesktop" ] || { echo "imrdesktop/ not found beside install.sh" >&2; exit 1; }
mkdir -p "$HOME/.local/lib" "$BIN" "$DATA/applications" "$DATA/metainfo" "$DATA/mime/packages" \
         "$DATA/icons/hicolor/scalable/apps"
rm -rf "$LIB.new"
cp -a "$HERE/imrdesktop" "$LIB.new"
rm -rf "$LIB"
mv "$LIB.new" "$LIB"
ln -sf "$LIB/imrdesktop" "$BIN/imrdesktop"
# Exec= with the full path: ~/.local/bin is not on every desktop session's PATH.
sed -e "s|^Exec=imrdesktop|Exec=$LIB/imrdesktop|" -e "s|^TryExec=imrdesktop|TryExec=$LIB/imrdesktop|" \
    "$HERE/imrdesktop/share/$ID.desktop" > "$DATA/applications/$ID.desktop"
cp "$HERE/imrdesktop/share/$ID.metainfo.xml" "$DATA/metainfo/"
cp "$HERE/imrdesktop/share/$ID-mime.xml" "$DATA/mime/packages/"
cp "$HERE/imrdesktop/share/$ID.svg" "$DATA/icons/hicolor/scalable/apps/"
refresh
echo "IMR Desktop installed: open it from your applications menu, or run $BIN/imrdesktop"
