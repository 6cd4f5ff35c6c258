#!/bin/sh
# Runs the release's own tests of the packages the patches touch (see README.md) against this patched
# copy: the copy and the release's *_test.go files go into a scratch directory, and go test runs there.
set -eu
version=v1.19.0
packages="fwserver fwschemadata proto6server fwschema"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
release=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/hashicorp/terraform-plugin-framework@$version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$release" ] || [ ! -d "$release" ]; then
	echo "upstream-tests: cannot find terraform-plugin-framework $version in the module cache" >&2
	exit 1
fi
mkdir "$work/copy"
cp -R "$here/." "$work/copy/"
chmod -R u+w "$work/copy"
n=0
for p in $packages; do
	for f in "$release/internal/$p/"*_test.go; do
		cp "$f" "$work/copy/internal/$p/"
		n=$((n + 1))
	done
done
echo "upstream-tests: $n test files of terraform-plugin-framework $version against the patched copy"
cd "$work/copy"
go test -count=1 $(for p in $packages; do printf './internal/%s/ ' "$p"; done)
