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
fail_prefix="DEMO FAILED"
# shellcheck source=SCRIPTDIR/../emulator/session.sh
. "$repo/examples/emulator/session.sh"

# plan_exits CODE WHY: terraform plan -detailed-exitcode must exit with CODE (0 no changes, 2 changes);
# otherwise the demo fails with WHY.
plan_exits() {
  local rc=0
  terraform plan -detailed-exitcode -input=false "${color[@]}" || rc=$?
  echo "terraform plan -detailed-exitcode: exit code $rc"
  [ "$rc" -eq "$1" ] || fail "$2 (exit code $rc, expected $1)"
}

need_tools go terraform
session_start ipam-demo DEMO_KEEP
build_provider
start_emulator "demo-$RANDOM$RANDOM"
use_build 'direct {}'

export TF_VAR_endpoint="$endpoint" TF_VAR_username="$username" TF_VAR_password="$password"
mkdir -p "$work/quickstart"
cp "$repo"/examples/quickstart/*.tf "$work/quickstart/"
cd "$work/quickstart"

section "terraform apply: one provider address space and two customer address spaces"
terraform apply -auto-approve -input=false "${color[@]}"

section "terraform plan again: nothing must change"
plan_exits 0 "the plan after apply is not empty"

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
plan_exits 2 "the plan after the out-of-band change shows no change"

section "terraform destroy"
terraform destroy -auto-approve -input=false "${color[@]}"

stop_emulator

section "Demo finished: apply, clean plan (exit 0), drift detected (exit 2), destroy"
