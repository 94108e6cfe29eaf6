; Inno Setup script for the Windows installer of ketamine-desktop.
;
; UNTESTED SKETCH. It was written on Linux, where neither the Windows bundle nor Inno Setup can run; no
; line of it has been compiled or installed. Treat it as the plan for the Windows step (see the README
; section "Building and installing"), to be tried and corrected on a Windows build machine.
;
; Build, on Windows, from the repository root:
;   py -3.11 -m venv .venv
;   .venv\Scripts\python -m pip install -e .[build]
;   .venv\Scripts\python -m PyInstaller --noconfirm build.spec
;       -> dist\ketamine-desktop\ketamine-desktop.exe (windowed) and ketamine-desktop-cli.exe (console)
;   iscc /DAppVersion=0.1.0 packaging\windows\ketamine-desktop.iss
;       -> dist\ketamine-desktop-0.1.0-windows-x64-setup.exe
; Sign both exes and the setup (signtool) before release: unsigned installers trip SmartScreen.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z ...
#endif
#define AppName "Ketamine Desktop"
#define AppExe "ketamine-desktop.exe"
#define CliExe "ketamine-desktop-cli.exe"

[Setup]
; A fixed AppId ties upgrades and the uninstaller to one product; generate it once and never change it.
AppId={{6C0F7E1A-3E52-4E6B-9A51-2A7B2F0C4D10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=ketamine-desktop maintainers
; Ward laptops: users have no admin rights, so install per user by default (IT may choose all users).
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=ketamine-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\icons\ketamine-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Files]
; The whole one-folder bundle; the uninstaller removes exactly these files.
Source: "..\..\dist\ketamine-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent

; The record (observations, audit chain) lives in the user's data folder, not under {app}: the
; uninstaller leaves it in place on purpose; removing a clinical record is a records-management decision.

[Code]
// After copying: run the console twin's --self-test (a windowed exe has no stdout; the console exe
// reports through its exit status and stdout). A failure is shown, not hidden: do not use the install.
procedure CurStepChanged(CurStep: TSetupStep);
var
  ResultCode: Integer;
begin
  if CurStep = ssPostInstall then
  begin
    if not Exec(ExpandConstant('{app}\{#CliExe}'), '--self-test', '', SW_HIDE, ewWaitUntilTerminated,
                ResultCode) or (ResultCode <> 0) then
      MsgBox('The installed application failed its self-test (exit status ' + IntToStr(ResultCode) +
             '). Do not use it on a ward; contact IT.', mbCriticalError, MB_OK);
  end;
end;
