// Package wql parses and evaluates the small subset of WMI Query Language (WQL) that the IPAM
// WS-Management traffic uses: SELECT queries against one class with an optional WHERE clause.
//
// It exists for two users. The emulator receives WQL from untrusted clients and must answer it with
// WMI's semantics (case-insensitive strings, numeric comparison, NULL handling, LIKE) without being
// open to denial of service, so parsing is bounded (MaxQueryLength, MaxDepth), long AND/OR chains are
// handled iteratively, and LIKE is matched without exponential backtracking. The client builds queries
// from user-supplied values and needs Quote and QuoteLike so that a value can never change the query's
// structure.
//
// Grammar (keywords are case-insensitive):
//
//	query      = SELECT ( "*" | ident { "," ident } ) FROM ident [ WHERE cond ]
//	cond       = and { OR and }
//	and        = unary { AND unary }
//	unary      = { NOT } primary
//	primary    = "(" cond ")" | comparison
//	comparison = ident ( "=" | "<>" | "!=" ) literal
//	           | literal ( "=" | "<>" | "!=" ) ident
//	           | ident LIKE pattern
//	           | ident IS [ NOT ] NULL
//	literal    = string | number | TRUE | FALSE | NULL
//	pattern    = a single- or double-quoted string without escapes (see below)
//
// Semantics follow WMI. String comparisons are case-insensitive, using simple Unicode case folding
// (strings.EqualFold). When the literal is a number and the property value parses as a decimal
// number, they are compared numerically and exactly (Type = 1 matches "1", "01" and "1.0"); a string
// literal always compares as a string. TRUE and FALSE match the values "true" and "false" in any
// case. A NULL value makes =, <> and LIKE false, and so does a NULL literal (use IS [NOT] NULL).
// Logic is two-valued, so NOT (p = 'x') is true when p is NULL. LIKE supports %, _, [set], [a-z] and
// [^set], case-insensitively, with no escape character ([%] matches a percent sign).
//
// A parsed Query is immutable, so one Query may be evaluated from many goroutines at once.
//
// Strings are single- or double-quoted; inside them a backslash takes the next byte literally, so \'
// \" and \\ are the escapes and \n is just "n". The pattern after LIKE is the exception: [MS-WMI]
// 2.2.1 says "The server MUST treat a backslash as an escape character in a WQL query, except within a
// LIKE clause", so there every byte up to the closing quote is literal ('lab\%' is lab, a
// backslash, then the wildcard %), and a pattern cannot contain its own delimiter. Use Quote
// for = and <> and QuoteLike for LIKE. Numbers are -?[0-9]+(\.[0-9]+)?. Identifiers are ASCII letters,
// digits and underscores, not starting with a digit, and may not be keywords.
package wql

import (
	"fmt"
	"strings"
)

// MaxQueryLength is the longest query, in bytes, that Parse accepts. It exists so that a hostile
// client cannot make the emulator spend unbounded memory and time on one request.
const MaxQueryLength = 1 << 20

// MaxDepth is the deepest nesting of parentheses and NOT operators that Parse accepts. It bounds the
// parser's and the evaluator's recursion so that a hostile query cannot overflow the stack.
const MaxDepth = 100

// SyntaxError reports why a query was rejected. It exists so that the emulator can turn any parse
// failure into a WMI "invalid query" fault while still telling the caller where the problem is.
type SyntaxError struct {
	// Pos is the 0-based byte offset in the query where the problem was found; for a problem at the
	// end of the query it is the query's length.
	Pos int
	// Msg describes the problem.
	Msg string
}

// Error formats the error as "WQL syntax error at <Pos>: <Msg>".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("WQL syntax error at %d: %s", e.Pos, e.Msg)
}

// UnknownPropertyError is returned by Expr.Eval and Query.Match when the query names a property that
// the row's class does not have. It exists as a type so that the emulator can tell this "invalid
// query" fault apart from other failures with errors.As.
type UnknownPropertyError struct {
	// Property is the name as written in the query.
	Property string
}

// Error formats the error as `unknown property "X"`.
func (e *UnknownPropertyError) Error() string {
	return fmt.Sprintf("unknown property %q", e.Property)
}

// Row is one instance a query is evaluated against. It is an interface so that the emulator can
// evaluate queries directly against its own storage without first copying every instance into a map.
type Row interface {
	// Get returns the value of property in its string form. isNull reports a NULL value (value is
	// then ignored); ok is false when the class has no such property. WQL property names are
	// case-insensitive, so implementations should look names up case-insensitively.
	Get(property string) (value string, isNull bool, ok bool)
}

// Expr is a parsed WHERE condition. It exists so that a condition can be evaluated against many rows
// after being parsed once, and rendered back to canonical WQL for logging and testing.
type Expr interface {
	// Eval reports whether the row satisfies the condition. Every property the condition names is
	// looked up (there is no short-circuiting), so an unknown property is reported as an
	// *UnknownPropertyError for every row, not only for rows that happen to reach it.
	Eval(Row) (bool, error)
	// String renders the condition as canonical WQL that Parse accepts and that renders to the same
	// string again: keywords in upper case, strings quoted with Quote and LIKE patterns with
	// QuoteLike, != written as <>, literal-first
	// comparisons turned around, and only the parentheses that precedence requires.
	String() string
}

// Query is a parsed WQL SELECT. It exists so that the emulator parses a request once and then
// evaluates it against every instance.
type Query struct {
	// Properties lists the selected properties in query order; it is nil for SELECT *.
	Properties []string
	// Class is the class named after FROM, as written.
	Class string
	// Where is the condition after WHERE, or nil when there is none.
	Where Expr
}

// Parse parses a WQL SELECT query. Every error it returns is a *SyntaxError. It exists as the single
// entry point through which untrusted query text enters the emulator, so it enforces MaxQueryLength and
// MaxDepth and never panics.
func Parse(s string) (*Query, error) {
	q, err := parseQuery(s)
	if err != nil {
		return nil, err
	}
	return q, nil
}

// Match reports whether the row satisfies the query's WHERE condition; a query without WHERE matches
// every row. It exists so that callers need not special-case a nil Where.
func (q *Query) Match(r Row) (bool, error) {
	if q.Where == nil {
		return true, nil
	}
	return q.Where.Eval(r)
}

// EqualityKeys reports whether the WHERE condition is exactly `property = 'literal'`, or an OR of such
// terms (in any parenthesisation) all on that property, and if so returns the string literals in query
// order with case-insensitive duplicates removed (the first spelling is kept). The property name is
// matched case-insensitively. It exists so that the emulator can answer lookups such as
// `InstanceID = 'a' OR InstanceID = 'b'` from an index instead of scanning every instance; the index
// must be searched case-insensitively (as strings.EqualFold does), because that is how Eval compares.
// Any other shape, including number, boolean or NULL literals, <>, AND and NOT, yields nil, false.
func (q *Query) EqualityKeys(property string) ([]string, bool) {
	if q == nil || q.Where == nil {
		return nil, false
	}
	terms := []Expr{q.Where}
	if o, ok := q.Where.(*orExpr); ok {
		terms = o.terms
	}
	keys := make([]string, 0, len(terms))
	seen := make(map[string]struct{}, len(terms))
	for _, t := range terms {
		c, ok := t.(*compareExpr)
		if !ok || c.op != opEq || c.lit.kind != litString || !strings.EqualFold(c.prop, property) {
			return nil, false
		}
		f := foldString(c.lit.text)
		if _, dup := seen[f]; dup {
			continue
		}
		seen[f] = struct{}{}
		keys = append(keys, c.lit.text)
	}
	return keys, true
}

// String renders the query as canonical WQL (see Expr.String). It exists for logging and so that a
// parsed query can be compared with another.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if q.Properties == nil {
		b.WriteString("*")
	} else {
		b.WriteString(strings.Join(q.Properties, ", "))
	}
	b.WriteString(" FROM ")
	b.WriteString(q.Class)
	if q.Where != nil {
		b.WriteString(" WHERE ")
		writeExpr(&b, q.Where, precOr)
	}
	return b.String()
}

// Quote returns s as a WQL single-quoted string literal for = and <> comparisons (not LIKE; see
// QuoteLike), with each backslash and single quote escaped
// by a backslash; every other byte, including invalid UTF-8, is kept as is, so Parse returns exactly s.
// It exists so that clients can put arbitrary values into a query without any chance of injection.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\\' || c == '\'' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// QuoteLike returns pattern as the string literal of a WQL LIKE comparison. It exists because WMI reads
// no escapes inside LIKE ([MS-WMI] 2.2.1), so Quote's backslashes would become part of the pattern.
// The pattern is single-quoted, or double-quoted when it contains a single quote; every byte is kept
// as is, so Parse returns exactly pattern. It fails when pattern contains both quote characters, which
// no LIKE literal can hold, or when it is not a valid pattern (an unterminated '[').
func QuoteLike(pattern string) (string, error) {
	q, ok := likeDelimiter(pattern)
	if !ok {
		return "", fmt.Errorf("LIKE pattern %q contains both ' and \": WQL has no escapes inside LIKE, so no string literal can hold both", pattern)
	}
	if _, msg := compileLike(pattern); msg != "" {
		return "", fmt.Errorf("invalid LIKE pattern %q: %s", pattern, msg)
	}
	return q + pattern + q, nil
}

// likeDelimiter returns the quote that can enclose pattern as a LIKE literal, preferring '.
func likeDelimiter(pattern string) (string, bool) {
	switch {
	case !strings.Contains(pattern, "'"):
		return "'", true
	case !strings.Contains(pattern, `"`):
		return `"`, true
	}
	return "", false
}
