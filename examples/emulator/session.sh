# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with the sourcing script
# What `make demo` (examples/quickstart/demo.sh) and `make module-test`
# (examples/modules/tenant-network/test.sh) both do around their own steps, sourced by each: build
# the provider, start the IPAM emulator on a free loopback port with a throw-away database and
# Windows' defaults (-windows-defaults: Basic refused, every message over HTTP sealed), point
# Terraform at the build with a dev_overrides CLI configuration (nothing is downloaded), and stop
# the emulator. Everything lives in one temporary directory, $work, removed on exit.
#
# The sourcing script runs with set -euo pipefail and sets fail_prefix, the first words of its
# failure message, before it sources this file.

export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# Terraform's -no-color when the output is not a terminal, so logs stay readable.
color=()
[ -t 1 ] || color=(-no-color)

section() { printf '\n==> %s\n' "$*"; }
fail() { printf '\n%s: %s\n' "$fail_prefix" "$*" >&2; exit 1; }

# need_tools TOOL...: fails unless every TOOL is on PATH.
need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || fail "$tool is not on PATH; this needs $*"
  done
}

# session_start NAME KEEP_VAR: makes $work, and on exit stops the emulator, shows the end of its log
# after a failure, and removes $work unless the variable named KEEP_VAR is 1.
session_start() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  [ -d "$work" ] || fail "mktemp did not create a work directory"
  keep_var="$2"
  emulator_pid=""
  trap session_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

session_cleanup() {
  local rc=$?
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -s "$work/emulator.log" ]; then
    printf '\nLast lines of the emulator log (%s):\n' "$work/emulator.log" >&2
    tail -n 20 "$work/emulator.log" >&2 || true
  fi
  if [ "${!keep_var:-}" = 1 ]; then
    echo "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}

# build_provider: builds the repository's provider into $work/bin.
build_provider() {
  section "Building the provider"
  mkdir -p "$work/bin"
  (cd "$repo" && CGO_ENABLED=0 go build -o "$work/bin/terraform-provider-ipam" .)
  echo "built $work/bin/terraform-provider-ipam"
}

# start_emulator PASSWORD [FLAG...]: starts the built emulator for the user admin with PASSWORD and
# the extra FLAGs, and waits for its ready line; sets username, password, endpoint and emulator_pid.
start_emulator() {
  section "Starting the IPAM emulator"
  username="admin"
  password="$1"
  shift
  "$work/bin/terraform-provider-ipam" emulator -windows-defaults -listen 127.0.0.1:0 -db "$work/ipam.db" \
    -username "$username" -password "$password" "$@" >"$work/emulator.out" 2>"$work/emulator.log" &
  emulator_pid=$!
  endpoint=""
  for _ in $(seq 1 150); do
    # The emulator's ready line for programs: {"ipam_emulator":"ready","url":"URL","database":"PATH"}
    endpoint="$(sed -n 's/^{"ipam_emulator":"ready","url":"\([^"]*\)".*/\1/p' "$work/emulator.out")"
    [ -n "$endpoint" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || fail "the emulator exited before it was ready"
    sleep 0.1
  done
  [ -n "$endpoint" ] || fail "the emulator did not print its address within 15s"
  cat "$work/emulator.out"
}

# use_build [LINE...]: a CLI configuration whose dev_overrides make Terraform use the binary just
# built, without `terraform init`; the LINEs are more of its provider_installation block.
# shellcheck disable=SC2120 # LINEs are optional
use_build() {
  {
    printf 'provider_installation {\n  dev_overrides {\n    "winipam/ipam" = "%s"\n  }\n' "$work/bin"
    [ $# -eq 0 ] || printf '  %s\n' "$@"
    printf '}\n'
  } >"$work/terraform.rc"
  export TF_CLI_CONFIG_FILE="$work/terraform.rc"
}

# stop_emulator: stops the emulator, which must exit cleanly, and says how many requests it served.
stop_emulator() {
  section "Stopping the emulator"
  kill -TERM "$emulator_pid"
  wait "$emulator_pid" || fail "the emulator did not stop cleanly"
  emulator_pid=""
  tail -n 1 "$work/emulator.out"
  echo "the emulator served $(grep -c ' POST ' "$work/emulator.log") requests"
}
