// Copyright IBM Corp. 2021, 2026
// SPDX-License-Identifier: MPL-2.0

package fwschemadata

// A test of a patch (see README), not of the release: upstream-tests.sh runs it with the release's tests.

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-framework/path"
)

func TestPatchSetTopLevelAttribute(t *testing.T) {
	t.Parallel()

	itemType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"name": tftypes.String}}
	rootType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id":    tftypes.String,
		"items": tftypes.Map{ElementType: itemType},
	}}
	items := tftypes.NewValue(tftypes.Map{ElementType: itemType}, map[string]tftypes.Value{
		"a": tftypes.NewValue(itemType, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "a")}),
	})
	root := tftypes.NewValue(rootType, map[string]tftypes.Value{
		"id":    tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"items": items,
	})
	before := root.Copy()
	id := tftypes.NewValue(tftypes.String, "x")

	got, ok := setTopLevelAttribute(root, path.Root("id"), id)
	if !ok {
		t.Fatal("a top-level attribute of a known object was left to the Transform")
	}

	want, err := tftypes.Transform(root, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if p.Equal(tftypes.NewAttributePath().WithAttributeName("id")) {
			return id, nil
		}
		return v, nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if !got.Equal(want) {
		t.Errorf("got %s, the Transform gives %s", got, want)
	}

	if !root.Equal(before) {
		t.Errorf("the original value changed: %s, was %s", root, before)
	}

	for name, tc := range map[string]struct {
		root tftypes.Value
		path path.Path
		v    tftypes.Value
	}{
		"nested path":   {root, path.Root("items").AtMapKey("a"), items},
		"unknown root":  {tftypes.NewValue(rootType, tftypes.UnknownValue), path.Root("id"), id},
		"null root":     {tftypes.NewValue(rootType, nil), path.Root("id"), id},
		"no such name":  {root, path.Root("other"), id},
		"wrong type":    {root, path.Root("id"), items},
		"not an object": {items, path.Root("id"), id},
	} {
		if _, ok := setTopLevelAttribute(tc.root, tc.path, tc.v); ok {
			t.Errorf("%s: not left to the Transform", name)
		}
	}
}
