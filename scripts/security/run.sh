#!/usr/bin/env bash
# `npm run security`: the security stage that gates CI (GitHub Actions job "security", GitLab stage
# "security"). Every check runs even after one fails, so one run reports everything; the exit code
# is 1 if any failed.
#
#   audit    npm audit of the runtime dependencies (--omit=dev), failing at high or critical
#   lint     eslint with eslint-plugin-security's rules as errors (eslint.config.js)
#   sbom     CycloneDX SBOM (npm sbom), checked to list every runtime dependency as such
#   secrets  secretlint's recommended preset over the tree (scripts/security/secret-scan.sh)
#
# Reports land in $SECURITY_OUT (default test-results/security): audit.json, sbom.cdx.json.
# Env: SECURITY_AUDIT_LEVEL (default high); THREADER_AUDIT_UNAVAILABLE=warn lets a registry mirror
# without npm's advisory endpoint pass the audit step with a warning (it fails closed otherwise).
# Usage: scripts/security/run.sh [audit|lint|sbom|secrets]...   (default: all four)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${SECURITY_OUT:-test-results/security}"
mkdir -p "$out"
steps=("$@")
[[ ${#steps[@]} -gt 0 ]] || steps=(audit lint sbom secrets)

audit() { node scripts/security/audit-gate.mjs --level "${SECURITY_AUDIT_LEVEL:-high}" --report "$out/audit.json"; }

lint() { node_modules/.bin/eslint --max-warnings 0 .; }

sbom() {
  # The whole tree, dev tools marked cdx:npm:package:development: `npm sbom --omit dev` also drops
  # runtime packages that a dev tool shares (yaml, pg-types here; npm/cli#7909).
  npm sbom --sbom-format cyclonedx >"$out/sbom.cdx.json" || return 1
  # An SBOM that lost its components (a broken lockfile, a wrong flag) would pass silently otherwise.
  node -e '
    const sbom = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const pkg = require("./package.json");
    const isDev = (c) => (c.properties ?? []).some((p) => p.name === "cdx:npm:package:development");
    const runtime = new Set((sbom.components ?? []).filter((c) => !isDev(c)).map((c) => (c.group ? c.group + "/" : "") + c.name));
    const missing = Object.keys(pkg.dependencies ?? {}).filter((d) => !runtime.has(d));
    if (sbom.bomFormat !== "CycloneDX" || missing.length > 0) {
      console.error("sbom: not a CycloneDX SBOM listing the runtime dependencies; missing: " + missing.join(", "));
      process.exit(1);
    }
    console.error("sbom: ok (" + runtime.size + " runtime of " + sbom.components.length + " components, CycloneDX " + sbom.specVersion + ") → " + process.argv[1]);
  ' "$out/sbom.cdx.json"
}

secrets() { bash scripts/security/secret-scan.sh "$root"; }

failed=()
for step in "${steps[@]}"; do
  case "$step" in
    audit | lint | sbom | secrets) ;;
    *)
      echo "security: unknown step \"$step\" (audit, lint, sbom, secrets)" >&2
      exit 2
      ;;
  esac
  echo "security: == $step" >&2
  "$step" || failed+=("$step")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "security: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "security: passed: ${steps[*]}" >&2
