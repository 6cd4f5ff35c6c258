#!/usr/bin/env bash
# `make module-test`: run this module's `terraform test` suite offline against the IPAM emulator.
# It builds the provider, starts the emulator on a free loopback port with a throw-away database and
# Windows' defaults (-windows-defaults: Basic refused, every message over HTTP sealed), points
# Terraform at the build with a dev_overrides CLI configuration (nothing is downloaded), exports
# IPAM_ENDPOINT / IPAM_USERNAME / IPAM_PASSWORD for the test's provider block (NTLM, the default),
# runs `terraform test`, checks that the teardown left nothing behind on the server, and stops the
# emulator. Needs go and terraform (1.8+). Set MODULE_TEST_KEEP=1 to keep the work directory.
set -euo pipefail

module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$module/../../.." && pwd)"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
color=()
[ -t 1 ] || color=(-no-color)

section() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nMODULE TEST FAILED: %s\n' "$*" >&2; exit 1; }

for tool in go terraform; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/ipam-module-test.XXXXXX")"
[ -d "$work" ] || fail "mktemp did not create a work directory"
emulator_pid=""
cleanup() {
  local rc=$?
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -s "$work/emulator.log" ]; then
    printf '\nLast lines of the emulator log (%s):\n' "$work/emulator.log" >&2
    tail -n 20 "$work/emulator.log" >&2 || true
  fi
  if [ "${MODULE_TEST_KEEP:-}" = 1 ]; then
    echo "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section "Building the provider"
mkdir -p "$work/bin"
(cd "$repo" && CGO_ENABLED=0 go build -o "$work/bin/terraform-provider-ipam" .)
echo "built $work/bin/terraform-provider-ipam"

section "Starting the IPAM emulator"
username=admin
password="module-test-$RANDOM$RANDOM"
# The tests set the custom fields Site and CostCenter, which IPAM needs defined.
"$work/bin/terraform-provider-ipam" emulator -windows-defaults -listen 127.0.0.1:0 -db "$work/ipam.db" \
  -username "$username" -password "$password" -custom-field Site -custom-field CostCenter \
  >"$work/emulator.out" 2>"$work/emulator.log" &
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

# dev_overrides makes Terraform use the binary just built: `terraform test` needs no `terraform init`
# for it. The only thing to install is the local helper module a run block loads (tests/server-view),
# which `terraform get` does without the network. With no other installation method in this CLI
# configuration, Terraform cannot download any provider.
cat >"$work/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "winipam/ipam" = "$work/bin"
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraform.rc"
export IPAM_ENDPOINT="$endpoint" IPAM_USERNAME="$username" IPAM_PASSWORD="$password"

# A copy, so that .terraform/ (the module manifest `terraform get` writes) stays out of the source tree.
mkdir -p "$work/module"
cp -R "$module"/*.tf "$module/tests" "$work/module/"
cd "$work/module"

section "terraform get (local modules only)"
terraform get "${color[@]}"

section "terraform test"
terraform test "${color[@]}"

section "Checking that the teardown destroyed everything"
# A WS-Enumeration with a WQL filter, from the SOAP examples, posted by the provider's own client.
enumerate="$(sed -e "s|<wsa:To>[^<]*</wsa:To>|<wsa:To>$endpoint</wsa:To>|" \
  -e "s|SELECT \* FROM MSFT_IPAM_AddressSpace|SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE '%ModTest%'|" \
  "$repo/examples/emulator/soap/enumerate.xml")"
body="$(printf '%s' "$enumerate" | "$work/bin/terraform-provider-ipam" soap -)" ||
  fail "could not enumerate the address spaces: $body"
printf '%s' "$body" | grep -q 'EndOfSequence' || fail "unexpected enumeration response: $body"
left="$(printf '%s' "$body" | grep -o ':Name>[^<]*<' | sed 's/^:Name>//; s/<$//' | paste -sd, - || true)"
[ -z "$left" ] || fail "terraform test left address spaces behind: $left"
echo "IPAM holds no address space named like '%ModTest%'"

section "Stopping the emulator"
kill -TERM "$emulator_pid"
wait "$emulator_pid" || fail "the emulator did not stop cleanly"
emulator_pid=""
tail -n 1 "$work/emulator.out"
echo "the emulator served $(grep -c ' POST ' "$work/emulator.log") requests"

section "Module test passed"
