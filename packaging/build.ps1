# Build the Windows installer: the PyInstaller folder, then an Inno Setup installer
# (linepaint-<version>[-cuda]-windows-x64-setup.exe) in -BuildDir.
#   powershell -ExecutionPolicy Bypass -File packaging\build.ps1 [-Python python] [-BuildDir DIR] [-Flavour cpu|cuda]
# The Python environment must already hold linepaint's dependencies and PyInstaller, with the
# torch wheel of the flavour (packaging\README.md).  Needs Inno Setup 6 (iscc).
param(
    [string]$Python = "python",
    [string]$BuildDir = "$PSScriptRoot\..\build\windows",
    [ValidateSet("cpu", "cuda")]
    [string]$Flavour = $(if ($env:LINEPAINT_FLAVOUR) { $env:LINEPAINT_FLAVOUR } else { "cpu" })
)
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path "$PSScriptRoot\..").Path
New-Item -ItemType Directory -Force -Path $BuildDir | Out-Null
$BuildDir = (Resolve-Path $BuildDir).Path
$env:LINEPAINT_FLAVOUR = $Flavour
$Version = (Select-String -Path "$Root\linepaint\__init__.py" -Pattern '^__version__ = "(.+)"').Matches[0].Groups[1].Value

# The venv's torch must match the flavour (a CUDA torch in a cpu build would lose its DLLs).
& $Python -c "import sys, torch; sys.exit(int((torch.version.cuda is not None) != (sys.argv[1] == 'cuda')))" $Flavour
if ($LASTEXITCODE) { throw "LINEPAINT_FLAVOUR=$Flavour does not match the torch installed for $Python" }

& $Python -m PyInstaller --noconfirm --log-level WARN --distpath "$BuildDir\dist" --workpath "$BuildDir\work" "$Root\packaging\linepaint.spec"
if ($LASTEXITCODE) { throw "PyInstaller failed" }
& "$BuildDir\dist\linepaint\linepaint-cli.exe" --version
if ($LASTEXITCODE) { throw "the frozen app does not start" }

$Iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $Iscc /Q "/DAppVersion=$Version" "/DFlavour=$Flavour" "/DSourceDir=$BuildDir\dist\linepaint" "/DOutputDir=$BuildDir" "$Root\packaging\windows\linepaint.iss"
if ($LASTEXITCODE) { throw "Inno Setup failed" }
$Suffix = if ($Flavour -eq "cuda") { "-cuda" } else { "" }
Get-Item "$BuildDir\linepaint-$Version$Suffix-windows-x64-setup.exe"
