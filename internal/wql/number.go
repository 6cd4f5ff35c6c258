package wql

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// number is an exact decimal in canonical form: the value is ±0.digits × 10^exp, where digits has no
// leading or trailing zeros. Zero is the zero number{}. Two decimals are equal exactly when their
// canonical forms are ==, so number can be a map key, and no precision is lost on values such as
// uint64 identifiers that a float64 cannot represent.
type number struct {
	neg    bool
	exp    int64
	digits string
}

// maxExponent bounds the exponent accepted in property values; anything larger is treated as a
// non-numeric string rather than risking overflow.
const maxExponent = 1_000_000_000

// parseNumber parses a property value as a decimal: [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?. It accepts
// every number literal the lexer produces.
func parseNumber(s string) (number, bool) {
	var n number
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		n.neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	fracPart := ""
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracPart = s[fracStart:i]
	}
	if intPart == "" && fracPart == "" {
		return number{}, false
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return number{}, false
		}
		for i < len(s) && isDigit(s[i]) {
			exp = exp*10 + int64(s[i]-'0')
			if exp > maxExponent {
				return number{}, false
			}
			i++
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(s) {
		return number{}, false
	}
	// value = 0.(intPart fracPart) × 10^(len(intPart)+exp); strip zeros to make it canonical.
	exp += int64(len(intPart))
	trimmed := strings.TrimLeft(intPart, "0")
	exp -= int64(len(intPart) - len(trimmed))
	digits := trimmed + fracPart
	if trimmed == "" {
		f := strings.TrimLeft(fracPart, "0")
		exp -= int64(len(fracPart) - len(f))
		digits = f
	}
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return number{}, true
	}
	n.exp = exp
	n.digits = digits
	return n, true
}

// foldRune maps r to a canonical member of its simple case-folding orbit (the smallest member, with
// ASCII capitals turned into lower case), so foldRune(a) == foldRune(b) exactly when
// strings.EqualFold treats a and b as equal.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if 'A' <= m && m <= 'Z' {
		m += 'a' - 'A'
	}
	return m
}

// foldString maps s to a key such that foldString(a) == foldString(b) exactly when
// strings.EqualFold(a, b); like EqualFold, it treats each invalid UTF-8 byte as U+FFFD.
func foldString(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}
