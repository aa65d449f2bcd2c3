# Build the Windows installer: PyInstaller bundle, smoke test, Inno Setup.
# NOT run by the project yet (no Windows machine): see docs/packaging.md.
# Needs: Python 3.11 (py launcher), Inno Setup 6. Run from the repository root:
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
$ErrorActionPreference = "Stop"
$version = (Select-String -Path imrdesktop\__init__.py -Pattern '^__version__ = "(.+)"').Matches[0].Groups[1].Value
if (-not (Test-Path .venv)) { py -3.11 -m venv .venv }
.venv\Scripts\python -m pip install -q -e ".[package]"
.venv\Scripts\python -m PyInstaller --noconfirm --clean packaging\imrdesktop.spec
# Windowed build: no console output, so check the exit code.
$p = Start-Process dist\imrdesktop\imrdesktop.exe -ArgumentList "--self-test" -Wait -PassThru
if ($p.ExitCode -ne 0) { throw "self-test failed ($($p.ExitCode))" }
# Signing goes here: signtool sign /fd sha256 /tr <timestamp-url> /td sha256 /a dist\imrdesktop\imrdesktop.exe
& "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" "/DMyAppVersion=$version" packaging\windows\imrdesktop.iss
Write-Host "Installer: dist\imrdesktop-$version-windows-x64-setup.exe"
