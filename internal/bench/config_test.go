package main

import (
	"strings"
	"testing"
)

func TestGeneratedShapes(t *testing.T) {
	conn := emulatorConn{endpoint: "http://127.0.0.1:1/wsman", username: "u", password: "p"}
	for _, k := range allKinds {
		for _, n := range []int{100, 1000} {
			v1 := generateConfig(k, n, 1, "x", conn)
			v2 := generateConfig(k, n, 2, "x", conn)
			customers := strings.Count(v1, `"x-ca-`)
			if customers != customerCount(k, n) {
				t.Errorf("%s N=%d: %d customer spaces, want %d", k.id(), n, customers, customerCount(k, n))
			}
			if got, want := strings.Count(v2, "(changed)"), (n+99)/100; got != want || changedCount(k, n) != want {
				t.Errorf("%s N=%d: %d keys changed (changedCount %d), want %d", k.id(), n, got, changedCount(k, n), want)
			}
			if strings.Contains(v1, "(changed)") {
				t.Errorf("%s N=%d: version 1 already has a changed key", k.id(), n)
			}
			if k.usesProvider() != strings.Contains(v1, `provider "ipam"`) {
				t.Errorf("%s: provider block present = %v", k.id(), !k.usesProvider())
			}
			if k == kindBulk && !strings.Contains(v1, `"x-pa" = { type = "Provider"`) {
				t.Errorf("bulk: no provider space key in\n%s", v1[:min(len(v1), 600)])
			}
		}
	}
}
