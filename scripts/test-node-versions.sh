#!/usr/bin/env bash
# Runs the typecheck and a representative set of mocha suites under other Node majors (default 22
# and 24), to check the promise "Node 20.19+, 22 and 24". Node binaries come from the npm registry
# (node-linux-<arch>@<major>) into a cache outside the repo; each version's bin dir goes first on
# PATH so pnpm, mocha and every child process (mocha workers, spawned CLIs/engines) run on it.
#
#   scripts/test-node-versions.sh [--full] [VERSION ...]
#
# VERSION is a major (22, 24) or `system` for the node already on PATH (the baseline).
# --full adds the worker suites and the conformance suite (ESJOBS_CONFORMANCE_JOBS defaults to 2000).
# Environment: ESJOBS_NODE_CACHE (default ${TMPDIR:-/tmp}/esjobs-node-versions), ESJOBS_NODE_SUITES
# (space-separated globs replacing the default set), ESJOBS_NODE_LOGS (default: a temp dir).
# Prints one summary line per version; exits non-zero if any version failed anything.
set -uo pipefail
cd "$(dirname "$0")/.."

full=0
versions=()
for arg in "$@"; do
  case "$arg" in
    --full) full=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) versions+=("$arg") ;;
  esac
done
[ ${#versions[@]} -eq 0 ] && versions=(22 24)

suites=(packages/embedded/test/*.test.ts packages/core/test/*.test.ts packages/cli/test/*.test.ts test/es-rest.test.ts)
if [ "$full" = 1 ]; then
  suites+=(packages/worker/test/*.test.ts test/worker/*.test.ts test/conformance/*.test.ts)
  export ESJOBS_CONFORMANCE_JOBS="${ESJOBS_CONFORMANCE_JOBS:-2000}"
fi
if [ -n "${ESJOBS_NODE_SUITES:-}" ]; then
  # Word splitting expands the globs on purpose.
  # shellcheck disable=SC2206
  suites=($ESJOBS_NODE_SUITES)
fi

cache="${ESJOBS_NODE_CACHE:-${TMPDIR:-/tmp}/esjobs-node-versions}"
logs="${ESJOBS_NODE_LOGS:-$(mktemp -d)}"
mkdir -p "$cache" "$logs"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

# Installs node-linux-<arch>@<major> once and prints its bin dir.
node_bin() {
  local major="$1" dir="$cache/node$1"
  local bin="$dir/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != "$major" ]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund "node-linux-$arch@$major" >"$logs/install-$major.log" 2>&1 || return 1
  fi
  echo "$bin"
}

summaries=()
status=0
for v in "${versions[@]}"; do
  path="$PATH"
  if [ "$v" != system ]; then
    bin=$(node_bin "$v") || { summaries+=("node $v: install of node-linux-$arch@$v failed (see $logs/install-$v.log)"); status=1; continue; }
    path="$bin:$PATH"
  fi
  actual=$(PATH="$path" node -v)
  echo "=== node $actual: typecheck ($logs/typecheck-$v.log)"
  if PATH="$path" pnpm exec tsc -p tsconfig.json --noEmit >"$logs/typecheck-$v.log" 2>&1; then
    tc=ok
  else
    tc="FAILED ($(grep -c 'error TS' "$logs/typecheck-$v.log") errors)"
    status=1
  fi
  echo "=== node $actual: mocha on ${#suites[@]} files ($logs/mocha-$v.log)"
  start=$(date +%s)
  PATH="$path" pnpm exec mocha "${suites[@]}" >"$logs/mocha-$v.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$logs/mocha-$v.log" | tail -n 1)
  [ -z "$counts" ] && counts="no summary (mocha exit $rc)"
  [ "$rc" != 0 ] && status=1
  summaries+=("node $actual: typecheck $tc; mocha $counts in ${secs}s")
done

echo
printf '%s\n' "${summaries[@]}"
echo "logs: $logs"
exit "$status"
