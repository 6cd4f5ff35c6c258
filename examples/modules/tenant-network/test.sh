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
fail_prefix="MODULE TEST FAILED"
# shellcheck source=SCRIPTDIR/../../emulator/session.sh
. "$repo/examples/emulator/session.sh"

need_tools go terraform
session_start ipam-module-test MODULE_TEST_KEEP
build_provider
# The tests set the custom fields Site and CostCenter, which IPAM needs defined.
start_emulator "module-test-$RANDOM$RANDOM" -custom-field Site -custom-field CostCenter
# `terraform test` needs no `terraform init` for the build. The only thing to install is the local
# helper module a run block loads (tests/server-view), which `terraform get` does without the
# network. With no other installation method in this CLI configuration, Terraform cannot download
# any provider.
use_build
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

stop_emulator

section "Module test passed"
