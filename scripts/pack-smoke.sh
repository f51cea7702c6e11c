#!/usr/bin/env bash
# pack-smoke.sh - proves the packed tarball runs from an empty folder, the two ways users start it:
#   npm init -y && npm install ./mailgun-mock-<version>.tgz && npx mailgun-mock --port 0
#   npx ./mailgun-mock-<version>.tgz --port 0
# Each start must print its URL, answer GET /__mock/health with 200 and serve the dashboard. Every wait is bounded and
# everything started here is stopped, and the temp folder removed, however the script ends.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEADLINE=${PACK_SMOKE_TIMEOUT:-120}   # seconds per start (npx may install dependencies first)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailgun-mock-pack.XXXXXX")
GROUPS_STARTED=()

log() { printf 'pack-smoke: %s\n' "$*" >&2; }
cleanup() {
  local g
  for g in "${GROUPS_STARTED[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# npm pack runs `prepare` (the build); its output is not the file name, so look for the file.
log "npm pack"
(cd "$ROOT" && npm pack --pack-destination "$WORK" >"$WORK/pack.log" 2>&1) || { cat "$WORK/pack.log" >&2; exit 1; }
TGZ=$(ls "$WORK"/mailgun-mock-*.tgz)
log "packed $(basename "$TGZ") ($(du -k "$TGZ" | cut -f1) kB)"

# start LABEL DIR CMD...: runs CMD in DIR in its own process group (npx runs node under npm and a
# shell; a signal to the group reaches them all), waits for the URL, probes health, stops it.
start() {
  local label=$1 dir=$2; shift 2
  local out=$WORK/$label.out err=$WORK/$label.err url="" pid code ui js until
  (cd "$dir" && exec setsid "$@" >"$out" 2>"$err" </dev/null) &
  pid=$!
  GROUPS_STARTED+=("$pid")
  until=$(( $(date +%s) + DEADLINE ))
  while [ -z "$url" ]; do
    url=$(sed -nE '1s#^mailgun-mock listening on (http://[^ ]+)$#\1#p' "$out" 2>/dev/null || true)
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null || [ "$(date +%s)" -ge "$until" ]; then
      log "$label: no URL within ${DEADLINE}s (or it exited); stdout:"; cat "$out" >&2
      log "$label: stderr:"; tail -30 "$err" >&2
      return 1
    fi
    sleep 0.2
  done
  code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 5 "$url/__mock/health" || true)
  # The dashboard's files are built into the package: the page and its entry script must be there.
  ui=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 5 "$url/__mock/ui/" || true)
  js=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 5 "$url/__mock/ui/js/main.js" || true)
  kill -TERM -- "-$pid" 2>/dev/null || true
  until=$(( $(date +%s) + 15 ))
  while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$until" ]; do sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$code" != 200 ]; then log "$label: GET $url/__mock/health -> $code"; return 1; fi
  if [ "$ui" != 200 ] || [ "$js" != 200 ]; then log "$label: the dashboard is missing from the package: /__mock/ui/ -> $ui, /__mock/ui/js/main.js -> $js"; return 1; fi
  log "$label: $url/__mock/health -> 200, dashboard /__mock/ui/ -> 200"
}

# 1. installed into an empty project
mkdir "$WORK/project"
(cd "$WORK/project" && npm init -y >/dev/null && npm install --no-audit --no-fund "$TGZ" >"$WORK/install.log" 2>&1) \
  || { tail -30 "$WORK/install.log" >&2; exit 1; }
start installed "$WORK/project" npx mailgun-mock --port 0

# 2. the tarball run straight from an empty folder. --yes: npx asks before installing unless it
# is told (a non-TTY run assumes yes, but a user's npmrc may say yes=false).
mkdir "$WORK/empty"
cp "$TGZ" "$WORK/empty/"
start npx-tarball "$WORK/empty" npx --yes "./$(basename "$TGZ")" --port 0

echo "pack-smoke: PASS $(basename "$TGZ"): npm install + npx mailgun-mock, and npx ./$(basename "$TGZ")"
