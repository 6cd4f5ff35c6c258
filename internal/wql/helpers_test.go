package wql

import "strings"

// mapRow is a Row backed by a map whose keys are lower-case property names; a nil value is NULL.
type mapRow map[string]any

func (r mapRow) Get(p string) (string, bool, bool) {
	v, ok := r[strings.ToLower(p)]
	if !ok {
		return "", false, false
	}
	if v == nil {
		return "", true, true
	}
	s, ok := v.(string)
	if !ok {
		panic("mapRow values are strings or nil")
	}
	return s, false, true
}

// funcRow is a Row computed from the property name.
type funcRow func(p string) (string, bool, bool)

func (f funcRow) Get(p string) (string, bool, bool) { return f(p) }

// mustParse parses s or fails the test.
func mustParse(t interface {
	Helper()
	Fatalf(string, ...any)
}, s string) *Query {
	t.Helper()
	q, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return q
}

const prefix = "SELECT * FROM MSFT_IPAM_AddressSpace WHERE "
