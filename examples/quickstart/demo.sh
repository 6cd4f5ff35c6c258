#!/usr/bin/env bash
# The quick start (`make demo`): build the provider, start the IPAM emulator on a free loopback port,
# apply examples/quickstart with real Terraform, show that a second plan is clean, change one customer
# address space behind Terraform's back with a raw SOAP call, show the drift, then destroy. The emulator
# runs with Windows' defaults (-windows-defaults: Basic refused, every message over HTTP sealed), so
# the provider logs in with NTLM and seals, as against a real server. Needs only go and terraform.
# Everything it creates lives in one temporary directory that is removed on exit (set DEMO_KEEP=1
# to keep it).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# Terraform's -no-color when the output is not a terminal, so logs stay readable.
color=()
[ -t 1 ] || color=(-no-color)

section() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nDEMO FAILED: %s\n' "$*" >&2; exit 1; }

for tool in go terraform; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH; the demo needs go and terraform"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/ipam-demo.XXXXXX")"
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
  if [ "${DEMO_KEEP:-}" = 1 ]; then
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
password="demo-$RANDOM$RANDOM"
"$work/bin/terraform-provider-ipam" emulator -windows-defaults -listen 127.0.0.1:0 -db "$work/ipam.db" \
  -username "$username" -password "$password" >"$work/emulator.out" 2>"$work/emulator.log" &
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

# dev_overrides makes Terraform use the binary just built, without `terraform init`.
cat >"$work/terraform.rc" <<EOF
provider_installation {
  dev_overrides {
    "winipam/ipam" = "$work/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraform.rc"
export TF_VAR_endpoint="$endpoint" TF_VAR_username="$username" TF_VAR_password="$password"
mkdir -p "$work/quickstart"
cp "$repo"/examples/quickstart/*.tf "$work/quickstart/"
cd "$work/quickstart"

section "terraform apply: one provider address space and two customer address spaces"
terraform apply -auto-approve -input=false "${color[@]}"

section "terraform plan again: nothing must change"
rc=0
terraform plan -detailed-exitcode -input=false "${color[@]}" || rc=$?
echo "terraform plan -detailed-exitcode: exit code $rc"
[ "$rc" -eq 0 ] || fail "the plan after apply is not empty (exit code $rc, expected 0)"

section "Out-of-band change: a raw SOAP BulkAddOrUpdateAddressSpace for Tenant-Contoso"
cat >"$work/drift.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
            xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"
            xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">
  <s:Header>
    <wsa:To>$endpoint</wsa:To>
    <wsman:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/wmi/root/microsoft/ipam/MSFT_IPAM_AddressSpace</wsman:ResourceURI>
    <wsa:ReplyTo>
      <wsa:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address>
    </wsa:ReplyTo>
    <wsa:Action s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/wmi/root/microsoft/ipam/MSFT_IPAM_AddressSpace/BulkAddOrUpdateAddressSpace</wsa:Action>
    <wsman:MaxEnvelopeSize s:mustUnderstand="true">512000</wsman:MaxEnvelopeSize>
    <wsa:MessageID>uuid:0D3E5A7C-1B2F-4C6D-8E9A-D3E0000000D1</wsa:MessageID>
    <wsman:OperationTimeout>PT60.000S</wsman:OperationTimeout>
  </s:Header>
  <s:Body>
    <p:BulkAddOrUpdateAddressSpace_INPUT
        xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/microsoft/ipam/MSFT_IPAM_AddressSpace"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xmlns:as="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/microsoft/ipam/MSFT_IPAM_AddressSpace">
      <p:AddressSpace xsi:type="as:MSFT_IPAM_AddressSpace_Type">
        <as:Name>Tenant-Contoso</as:Name>
        <as:Type>1</as:Type>
        <as:Description>Edited by hand in the IPAM console</as:Description>
      </p:AddressSpace>
    </p:BulkAddOrUpdateAddressSpace_INPUT>
  </s:Body>
</s:Envelope>
EOF
# `terraform-provider-ipam soap` posts a SOAP file with the provider's own client (NTLM, sealed), set
# up from the same IPAM_* variables as the provider block.
echo "IPAM_ENDPOINT=$endpoint IPAM_USERNAME=$username IPAM_PASSWORD=*** terraform-provider-ipam soap drift.xml"
body="$(IPAM_ENDPOINT="$endpoint" IPAM_USERNAME="$username" IPAM_PASSWORD="$password" \
  "$work/bin/terraform-provider-ipam" soap "$work/drift.xml")" || fail "the SOAP call failed: $body"
# One MSFT_IPAM_OperationStatus per item: a non-zero Win32Status means the item failed.
element() { printf '%s' "$body" | grep -o ":$1>[0-9][0-9]*<" | sed 's/.*>\([0-9]*\)</\1/' | paste -sd, -; }
win32="$(element Win32Status)"
echo "ReturnValue $(element ReturnValue), Win32Status ${win32:-(none)}"
[ -z "${win32//[0,]/}" ] || fail "the SOAP call reported a failed item: $body"

section "terraform plan: the drift must show"
rc=0
terraform plan -detailed-exitcode -input=false "${color[@]}" || rc=$?
echo "terraform plan -detailed-exitcode: exit code $rc"
[ "$rc" -eq 2 ] || fail "the plan after the out-of-band change shows no change (exit code $rc, expected 2)"

section "terraform destroy"
terraform destroy -auto-approve -input=false "${color[@]}"

section "Stopping the emulator"
kill -TERM "$emulator_pid"
wait "$emulator_pid" || fail "the emulator did not stop cleanly"
emulator_pid=""
tail -n 1 "$work/emulator.out"
echo "the emulator served $(grep -c ' POST ' "$work/emulator.log") requests"

section "Demo finished: apply, clean plan (exit 0), drift detected (exit 2), destroy"
