#!/usr/bin/env bash
# Build the macOS app and DMG: PyInstaller "IMR Desktop.app", smoke test, optional signing
# and notarization, hdiutil DMG. NOT run by the project yet (no Mac): see docs/packaging.md.
#
#   packaging/macos/build-dmg.sh
#   CODESIGN_IDENTITY="Developer ID Application: … (TEAMID)" NOTARY_PROFILE=imr \
#     packaging/macos/build-dmg.sh
#
# The Info.plist keys (CFBundleIdentifier org.healthadvocates.IMRDesktop, the .imrbundle
# document type) are set in packaging/imrdesktop.spec (BUNDLE(info_plist=…)); Info.plist
# beside this script is the same, for reference and review.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' imrdesktop/__init__.py)
APP="dist/IMR Desktop.app"
DMG="dist/imrdesktop-$VERSION-macos-$(uname -m).dmg"

test -x .venv/bin/python || python3.11 -m venv .venv
.venv/bin/python -m pip install -q -e '.[package]'
.venv/bin/python -m PyInstaller --noconfirm --clean packaging/imrdesktop.spec
"$APP/Contents/MacOS/imrdesktop" --version
"$APP/Contents/MacOS/imrdesktop" --self-test

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  # Hardened runtime is required for notarization. PySide6/Qt may need
  # com.apple.security.cs.disable-library-validation if signing reports it (untested).
  codesign --force --deep --options runtime --timestamp \
    --sign "$CODESIGN_IDENTITY" "$APP"
  codesign --verify --strict --verbose=2 "$APP"
fi

STAGE=$(mktemp -d)
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "IMR Desktop $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
rm -rf "$STAGE"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
fi
if [ -n "${NOTARY_PROFILE:-}" ]; then
  # Profile made once with: xcrun notarytool store-credentials imr --apple-id … --team-id …
  xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$DMG"
fi
echo "DMG: $DMG"
