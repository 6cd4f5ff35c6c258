// Copyright IBM Corp. 2021, 2026
// SPDX-License-Identifier: MPL-2.0

package fwschema

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Patched (see README): lets callers skip walks over a whole value, which
// cost time in the size of the value, when no attribute of the schema could
// change anything.

// SchemaHasAttribute reports whether an attribute of s at any depth (inside
// nested attributes and blocks) satisfies f.
func SchemaHasAttribute(s Schema, f func(Attribute) bool) bool {
	for _, a := range s.GetAttributes() {
		if AttributeTreeHas(a, f) {
			return true
		}
	}

	for _, b := range s.GetBlocks() {
		if blockTreeHas(b, f) {
			return true
		}
	}

	return false
}

// AttributeTreeHas reports whether a, or an attribute nested in it at any
// depth, satisfies f.
func AttributeTreeHas(a Attribute, f func(Attribute) bool) bool {
	if f(a) {
		return true
	}

	if na, ok := a.(NestedAttribute); ok && na.GetNestedObject() != nil {
		for _, n := range na.GetNestedObject().GetAttributes() {
			if AttributeTreeHas(n, f) {
				return true
			}
		}
	}

	return false
}

func blockTreeHas(b Block, f func(Attribute) bool) bool {
	o := b.GetNestedObject()
	if o == nil {
		return false
	}

	for _, a := range o.GetAttributes() {
		if AttributeTreeHas(a, f) {
			return true
		}
	}

	for _, nb := range o.GetBlocks() {
		if blockTreeHas(nb, f) {
			return true
		}
	}

	return false
}

// AttributeHasDefault reports whether a has a default value.
func AttributeHasDefault(a Attribute) bool {
	switch d := a.(type) {
	case AttributeWithBoolDefaultValue:
		return d.BoolDefaultValue() != nil
	case AttributeWithFloat32DefaultValue:
		return d.Float32DefaultValue() != nil
	case AttributeWithFloat64DefaultValue:
		return d.Float64DefaultValue() != nil
	case AttributeWithInt32DefaultValue:
		return d.Int32DefaultValue() != nil
	case AttributeWithInt64DefaultValue:
		return d.Int64DefaultValue() != nil
	case AttributeWithListDefaultValue:
		return d.ListDefaultValue() != nil
	case AttributeWithMapDefaultValue:
		return d.MapDefaultValue() != nil
	case AttributeWithNumberDefaultValue:
		return d.NumberDefaultValue() != nil
	case AttributeWithObjectDefaultValue:
		return d.ObjectDefaultValue() != nil
	case AttributeWithSetDefaultValue:
		return d.SetDefaultValue() != nil
	case AttributeWithStringDefaultValue:
		return d.StringDefaultValue() != nil
	case AttributeWithDynamicDefaultValue:
		return d.DynamicDefaultValue() != nil
	}

	return false
}

// AttributeIsWriteOnly reports whether a is write-only.
func AttributeIsWriteOnly(a Attribute) bool {
	return a.IsWriteOnly()
}

// TypeIsBase reports whether t and every type nested in it is one of the
// framework's base types without validation of their own, whose conversion
// from a Terraform value of the matching type cannot fail or report anything
// (custom types may refuse a value; a set reports duplicates).
func TypeIsBase(t attr.Type) bool {
	switch t := t.(type) {
	case basetypes.BoolType, basetypes.StringType, basetypes.Int64Type, basetypes.Int32Type,
		basetypes.Float64Type, basetypes.Float32Type, basetypes.NumberType:
		return true
	case basetypes.ListType:
		return TypeIsBase(t.ElemType)
	case basetypes.SetType:
		return false // validates its elements (duplicates) when read
	case basetypes.MapType:
		return TypeIsBase(t.ElemType)
	case basetypes.ObjectType:
		for _, at := range t.AttrTypes {
			if !TypeIsBase(at) {
				return false
			}
		}
		return true
	}
	return false
}
