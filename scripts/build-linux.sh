#!/usr/bin/env bash
# Build the Linux bundle: dist/imrdesktop/ (PyInstaller onedir) and
# dist/imrdesktop-<version>-linux-x86_64.tar.gz (the bundle, packaging/linux/ files and
# install.sh). An AppImage too, only when appimagetool is already installed: nothing is
# downloaded at build time.
#
#   scripts/build-linux.sh [--distpath DIR] [--workpath DIR] [--no-tarball]
#
# Uses the project's venv (.venv, or $VENV); `make package` calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=$VENV/bin/python
DISTPATH=dist
WORKPATH=build
TARBALL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --distpath) DISTPATH=$2; shift 2 ;;
    --workpath) WORKPATH=$2; shift 2 ;;
    --no-tarball) TARBALL=0; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

test -x "$PY" || python3 -m venv "$VENV"
"$PY" -m pip install -q -e '.[package]'

VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' imrdesktop/__init__.py)
ID=$(sed -n 's/^APP_ID = "\(.*\)"$/\1/p' imrdesktop/__init__.py)
ARCH=$(uname -m)
echo "Building IMR Desktop $VERSION ($ID) for linux-$ARCH"

"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DISTPATH" --workpath "$WORKPATH" packaging/imrdesktop.spec

# The desktop integration files travel inside the bundle too (share/), so the bundle
# alone is enough to install from.
BUNDLE=$DISTPATH/imrdesktop
SHARE=$BUNDLE/share
mkdir -p "$SHARE"
cp "packaging/linux/$ID.desktop" "packaging/linux/$ID-mime.xml" "packaging/linux/$ID.svg" "$SHARE/"
sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" \
  "packaging/linux/$ID.metainfo.xml" > "$SHARE/$ID.metainfo.xml"

if [ "$TARBALL" = 1 ]; then
  NAME=imrdesktop-$VERSION-linux-$ARCH
  STAGE=$WORKPATH/$NAME
  rm -rf "$STAGE"
  mkdir -p "$STAGE"
  cp -a "$BUNDLE" "$STAGE/imrdesktop"
  cp packaging/linux/install.sh "$STAGE/"
  cp LICENSE "$STAGE/" 2>/dev/null || true
  tar -C "$WORKPATH" -czf "$DISTPATH/$NAME.tar.gz" "$NAME"
  echo "Tarball: $DISTPATH/$NAME.tar.gz ($(du -h "$DISTPATH/$NAME.tar.gz" | cut -f1))"

  if command -v appimagetool >/dev/null 2>&1; then
    APPDIR=$WORKPATH/IMRDesktop.AppDir
    rm -rf "$APPDIR"
    mkdir -p "$APPDIR/usr/share/applications" "$APPDIR/usr/share/metainfo"
    cp -a "$BUNDLE" "$APPDIR/usr/lib-imrdesktop"
    cp "$SHARE/$ID.desktop" "$APPDIR/"
    cp "$SHARE/$ID.svg" "$APPDIR/"
    cp "$SHARE/$ID.desktop" "$APPDIR/usr/share/applications/"
    cp "$SHARE/$ID.metainfo.xml" "$APPDIR/usr/share/metainfo/"
    printf '#!/bin/sh\nexec "$(dirname "$(readlink -f "$0")")/usr/lib-imrdesktop/imrdesktop" "$@"\n' \
      > "$APPDIR/AppRun"
    chmod +x "$APPDIR/AppRun"
    ARCH=$ARCH appimagetool --no-appstream "$APPDIR" "$DISTPATH/IMR_Desktop-$VERSION-$ARCH.AppImage"
  else
    echo "appimagetool not installed: no AppImage (the tarball is the Linux download)."
  fi
fi
echo "Bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
