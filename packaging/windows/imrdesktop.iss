; Inno Setup 6 script for IMR Desktop: a per-user installer (no administrator rights).
; NOT run in the project's CI or by its developers yet: see docs/packaging.md.
;
; Build, on Windows, from the repository root:
;   py -3.11 -m venv .venv && .venv\Scripts\pip install -e ".[package]"
;   .venv\Scripts\pyinstaller --noconfirm --clean packaging\imrdesktop.spec
;   dist\imrdesktop\imrdesktop.exe --self-test   (windowed: check the exit code, %ERRORLEVEL%)
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DMyAppVersion=0.1.0 packaging\windows\imrdesktop.iss
; or packaging\windows\build.ps1, which does all of this and reads the version for you.
;
; Signing: sign dist\imrdesktop\imrdesktop.exe BEFORE running ISCC, and let ISCC sign the
; installer and uninstaller through the SignTool line below (define a sign tool named
; "signtool" in the Inno Setup IDE or with ISCC /S), e.g.
;   ISCC "/Ssigntool=signtool.exe sign /fd sha256 /tr http://timestamp.example /td sha256 /a $f" ...
; Then uncomment SignTool= and SignedUninstaller=yes.

#ifndef MyAppVersion
  #error Pass the version: ISCC /DMyAppVersion=x.y.z (build.ps1 reads imrdesktop\__init__.py)
#endif
#define MyAppName "IMR Desktop"
#define MyAppExe "imrdesktop.exe"
#define MyAppId "org.healthadvocates.IMRDesktop"

[Setup]
; A fixed GUID-like AppId keeps upgrades in place; never change it after the first release.
AppId={{F46D0BEA-292C-45C0-9D8D-A7C63BB65A9B}
AppName={#MyAppName}
AppVersion={#MyAppVersion}
AppPublisher=IMR Desktop developers
AppPublisherURL=https://healthadvocates.org/
DefaultDirName={localappdata}\Programs\IMR Desktop
DefaultGroupName={#MyAppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=imrdesktop-{#MyAppVersion}-windows-x64-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#MyAppExe}
UninstallDisplayName={#MyAppName}
ChangesAssociations=yes
; SignTool=signtool
; SignedUninstaller=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "spanish"; MessagesFile: "compiler:Languages\Spanish.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\imrdesktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#MyAppName}"; Filename: "{app}\{#MyAppExe}"; AppUserModelID: "{#MyAppId}"
Name: "{autodesktop}\{#MyAppName}"; Filename: "{app}\{#MyAppExe}"; Tasks: desktopicon

[Registry]
; .imrbundle (exported case bundles) opens in IMR Desktop; per-user (HKCU via HKA).
Root: HKA; Subkey: "Software\Classes\.imrbundle"; ValueType: string; ValueName: ""; ValueData: "IMRDesktop.CaseBundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.imrbundle"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-imrdesktop-bundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\IMRDesktop.CaseBundle"; ValueType: string; ValueName: ""; ValueData: "IMR Desktop case bundle"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\IMRDesktop.CaseBundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#MyAppExe},0"
Root: HKA; Subkey: "Software\Classes\IMRDesktop.CaseBundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#MyAppExe}"" ""%1"""

[Run]
Filename: "{app}\{#MyAppExe}"; Description: "{cm:LaunchProgram,{#MyAppName}}"; Flags: nowait postinstall skipifsilent

; The uninstaller removes {app} and the registry keys above. The user's vault and settings
; (in the profile's AppData) are deliberately left: they hold client records.
