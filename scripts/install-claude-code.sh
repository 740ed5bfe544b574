#!/usr/bin/env bash
# Installs the pinned Claude Code (the npm package @anthropic-ai/claude-code and its native
# binary @anthropic-ai/claude-code-linux-x64) for the contract tests, into
#   .cache/claude-code/<version>/node_modules/@anthropic-ai/...
# The version is pinned in ONE place: test/contract/claude-code.version.
# Tarballs are kept in $PEER_COMMS_NPM_CACHE (default ~/.cache/peer-comms/npm/) so a fresh clone
# on the same machine skips the ~172 MB download. Install scripts are not run: the packages are
# unpacked with tar, and the executable is the native binary itself.
# Idempotent. Prints the executable's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'install-claude-code: %s\n' "$*" >&2; }

version=$(tr -d '[:space:]' < test/contract/claude-code.version)
[ -n "$version" ] || { say "test/contract/claude-code.version is empty"; exit 1; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  Darwin-arm64) platform=darwin-arm64 ;;
  Darwin-x86_64) platform=darwin-x64 ;;
  *) say "unsupported platform $(uname -s)-$(uname -m)"; exit 1 ;;
esac
if [ "$platform" = linux-x64 ] || [ "$platform" = linux-arm64 ]; then
  if ldd --version 2>&1 | grep -qi musl; then platform="$platform-musl"; fi
fi

tar_cache=${PEER_COMMS_NPM_CACHE:-$HOME/.cache/peer-comms/npm}
dest=".cache/claude-code/$version"
exe="$dest/node_modules/@anthropic-ai/claude-code-$platform/claude"
mkdir -p "$tar_cache"

if [ -x "$exe" ] && [ "$("$exe" --version 2>/dev/null | awk '{print $1}')" = "$version" ]; then
  say "Claude Code $version already installed"
  printf '%s\n' "$(cd "$(dirname "$exe")" && pwd)/claude"
  exit 0
fi

# Seed the tarball cache from a download already on this machine (CLAUDE_CODE_TARBALLS=dir).
seed_dirs=(${CLAUDE_CODE_TARBALLS:-} /tmp/cc)

fetch() { # fetch <package name> <tarball file name>
  local pkg=$1 file=$2
  if [ -s "$tar_cache/$file" ] && gzip -t "$tar_cache/$file" 2>/dev/null; then return 0; fi
  for d in "${seed_dirs[@]}"; do
    if [ -n "$d" ] && [ -s "$d/$file" ] && gzip -t "$d/$file" 2>/dev/null; then
      say "seeding $tar_cache/$file from $d"
      cp "$d/$file" "$tar_cache/$file.tmp.$$" && mv "$tar_cache/$file.tmp.$$" "$tar_cache/$file"
      return 0
    fi
  done
  say "npm pack $pkg@$version (this one can be large)"
  local tmp
  tmp=$(mktemp -d "$tar_cache/.pack.XXXXXX")
  (cd "$tmp" && npm pack --silent --loglevel=error "$pkg@$version" >/dev/null)
  mv "$tmp/$file" "$tar_cache/$file"
  rm -rf "$tmp"
}

main_tgz="anthropic-ai-claude-code-$version.tgz"
native_tgz="anthropic-ai-claude-code-$platform-$version.tgz"
fetch "@anthropic-ai/claude-code" "$main_tgz"
fetch "@anthropic-ai/claude-code-$platform" "$native_tgz"

unpack() { # unpack <tarball> <package dir>
  local tgz=$1 dir=$2
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  tar xzf "$tgz" -C "$dir.tmp" --strip-components=1
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}
mkdir -p "$dest/node_modules/@anthropic-ai"
unpack "$tar_cache/$main_tgz" "$dest/node_modules/@anthropic-ai/claude-code"
unpack "$tar_cache/$native_tgz" "$dest/node_modules/@anthropic-ai/claude-code-$platform"
chmod +x "$exe"

got=$("$exe" --version 2>/dev/null | awk '{print $1}' || true)
if [ "$got" != "$version" ]; then
  say "installed $exe but it reports version '$got', expected $version"; exit 1
fi
say "Claude Code $version installed"
printf '%s\n' "$(cd "$(dirname "$exe")" && pwd)/claude"
