; Inno Setup script for linepaint: installs the PyInstaller folder, a Start menu entry,
; the .lpproj file association and an uninstaller.  packaging\build.ps1 runs it as
;   iscc /DAppVersion=0.1.0 /DFlavour=cpu /DSourceDir=<dist\linepaint> /DOutputDir=<dir> linepaint.iss
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef Flavour
  #define Flavour "cpu"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\windows\dist\linepaint"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\build\windows"
#endif
#if Flavour == "cuda"
  #define Suffix "-cuda"
#else
  #define Suffix ""
#endif

[Setup]
AppId={{6C1F3D0E-2B7A-4E8C-9D1A-5F0B7C3E9A21}
AppName=linepaint
AppVersion={#AppVersion}
AppVerName=linepaint {#AppVersion}
AppPublisher=linepaint
DefaultDirName={autopf}\linepaint
DefaultGroupName=linepaint
DisableProgramGroupPage=yes
; Per user by default (no admin rights needed); the first page offers "for all users".
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
UninstallDisplayIcon={app}\linepaint.exe
UninstallDisplayName=linepaint {#AppVersion}
OutputDir={#OutputDir}
OutputBaseFilename=linepaint-{#AppVersion}{#Suffix}-windows-x64-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
#if Flavour == "cuda"
; The CUDA build is 3-4 GB; a single setup .exe must stay under 2 GB.
DiskSpanning=yes
DiskSliceSize=max
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "association"; Description: "Open linepaint projects (.lpproj) with linepaint"; GroupDescription: "File types:"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\linepaint"; Filename: "{app}\linepaint.exe"
Name: "{group}\Uninstall linepaint"; Filename: "{uninstallexe}"
Name: "{autodesktop}\linepaint"; Filename: "{app}\linepaint.exe"; Tasks: desktopicon

[Registry]
; HKA: HKCU for a per-user install, HKLM for all users.  Removed again by the uninstaller.
Root: HKA; Subkey: "Software\Classes\.lpproj"; ValueType: string; ValueName: ""; ValueData: "linepaint.project"; Flags: uninsdeletevalue; Tasks: association
Root: HKA; Subkey: "Software\Classes\.lpproj\OpenWithProgids"; ValueType: string; ValueName: "linepaint.project"; ValueData: ""; Flags: uninsdeletevalue; Tasks: association
Root: HKA; Subkey: "Software\Classes\linepaint.project"; ValueType: string; ValueName: ""; ValueData: "linepaint project"; Flags: uninsdeletekey; Tasks: association
Root: HKA; Subkey: "Software\Classes\linepaint.project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\linepaint.exe,0"; Tasks: association
Root: HKA; Subkey: "Software\Classes\linepaint.project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\linepaint.exe"" ""%1"""; Tasks: association

[Run]
Filename: "{app}\linepaint.exe"; Description: "{cm:LaunchProgram,linepaint}"; Flags: nowait postinstall skipifsilent
