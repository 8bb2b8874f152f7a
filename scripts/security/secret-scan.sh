#!/usr/bin/env bash
# Secret scan: secretlint's recommended preset over every file of a tree, with THIS repository's
# .secretlintrc.yaml (the narrow allowlist of test fakes) and the tree's own .secretlintignore
# (build output, local state; secretlint reads it relative to the scanned dir). Exit 0 clean, 1 a secret was found (file, line and rule printed, the value masked),
# 2 the scanner could not run.
# Usage: scripts/security/secret-scan.sh [DIR]   (default: the repository root)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$(cd "${1:-$root}" && pwd)"
bin="$root/node_modules/.bin/secretlint"
[[ -x "$bin" ]] || { echo "secret-scan: $bin missing (npm ci first)" >&2; exit 2; }

cd "$dir"
ignore=()
[[ -f .secretlintignore ]] && ignore=(--secretlintignore .secretlintignore)
# --maskSecrets: the report goes to CI logs, which must not repeat the secret they warn about.
status=0
"$bin" '**/*' \
  --secretlintrc "$root/.secretlintrc.yaml" \
  "${ignore[@]}" \
  --maskSecrets || status=$?
if [[ "$status" -eq 0 ]]; then
  echo "secret-scan: ok ($dir)" >&2
elif [[ "$status" -eq 1 ]]; then
  echo "secret-scan: FAILED — a credential is committed in $dir (see above). Remove it and rotate it;" \
    "a test fake belongs in .secretlintrc.yaml's allowlist with a comment saying why." >&2
else
  echo "secret-scan: secretlint could not run (exit $status)" >&2
  status=2
fi
exit "$status"
