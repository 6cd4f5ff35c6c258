package wql

import (
	"strings"
)

type litKind uint8

const (
	litString litKind = iota
	litNumber
	litBool
	litNull
)

// literal is a constant in a comparison. text is the unescaped string, the number as written, or
// TRUE, FALSE or NULL.
type literal struct {
	kind litKind
	text string
	num  number // for litNumber
}

func (l literal) String() string {
	if l.kind == litString {
		return Quote(l.text)
	}
	return l.text
}

// equal reports whether a non-NULL property value equals a non-NULL literal, with WMI's rules: strings
// compare case-insensitively, a number literal compares numerically with a numeric value, and a
// boolean literal matches "true" or "false" case-insensitively.
func (l literal) equal(v string) bool {
	switch l.kind {
	case litString:
		return strings.EqualFold(v, l.text)
	case litNumber:
		// A value that is not a number could only equal the literal as a string, and a string
		// case-insensitively equal to a number literal is that number literal, so no fallback.
		n, ok := parseNumber(v)
		return ok && n == l.num
	case litBool:
		return strings.EqualFold(v, l.text)
	}
	return false
}

type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
)

// lookup reads prop from r; a property the row does not have is an *UnknownPropertyError.
func lookup(r Row, prop string) (value string, isNull bool, err error) {
	value, isNull, ok := r.Get(prop)
	if !ok {
		return "", false, &UnknownPropertyError{Property: prop}
	}
	return value, isNull, nil
}

// compareExpr is prop = lit or prop <> lit (lit = prop is normalised to this form).
type compareExpr struct {
	prop string
	op   cmpOp
	lit  literal
}

func (c *compareExpr) Eval(r Row) (bool, error) {
	v, isNull, err := lookup(r, c.prop)
	if err != nil || isNull || c.lit.kind == litNull {
		return false, err
	}
	eq := c.lit.equal(v)
	if c.op == opNe {
		return !eq, nil
	}
	return eq, nil
}

func (c *compareExpr) String() string { return exprString(c) }

// likeExpr is prop LIKE 'pattern'.
type likeExpr struct {
	prop    string
	pattern *likePattern
}

func (e *likeExpr) Eval(r Row) (bool, error) {
	v, isNull, err := lookup(r, e.prop)
	if err != nil || isNull {
		return false, err
	}
	return e.pattern.match(v), nil
}

func (e *likeExpr) String() string { return exprString(e) }

// nullExpr is prop IS NULL, or prop IS NOT NULL when not is set.
type nullExpr struct {
	prop string
	not  bool
}

func (e *nullExpr) Eval(r Row) (bool, error) {
	_, isNull, err := lookup(r, e.prop)
	if err != nil {
		return false, err
	}
	return isNull != e.not, nil
}

func (e *nullExpr) String() string { return exprString(e) }

// notExpr is NOT x. Conditions use two-valued logic, as the package documentation describes, so
// NOT (p = 'a') is true when p is NULL.
type notExpr struct {
	x Expr
}

func (e *notExpr) Eval(r Row) (bool, error) {
	m, err := e.x.Eval(r)
	if err != nil {
		return false, err
	}
	return !m, nil
}

func (e *notExpr) String() string { return exprString(e) }

// andExpr is a chain of AND terms (at least two; after prepare, none of them an andExpr).
type andExpr struct {
	terms []Expr
}

func newAnd(terms []Expr) Expr { return &andExpr{terms: terms} }

func (e *andExpr) Eval(r Row) (bool, error) {
	result := true
	for _, t := range e.terms {
		m, err := t.Eval(r)
		if err != nil {
			return false, err
		}
		result = result && m
	}
	return result, nil
}

func (e *andExpr) String() string { return exprString(e) }

// evaler is the evaluation half of Expr; orExpr's eqGroups implement only this.
type evaler interface {
	Eval(Row) (bool, error)
}

// orExpr is a chain of OR terms (at least two; after prepare, none of them an orExpr). For evaluation,
// equality terms on the same property are merged into one eqGroup, so that a query listing thousands
// of keys costs one property lookup and one map probe per row instead of one comparison per key.
type orExpr struct {
	terms []Expr   // for String and EqualityKeys, in query order
	eval  []evaler // terms and eqGroups, in order of first appearance; built by prepare
}

func newOr(terms []Expr) Expr { return &orExpr{terms: terms} }

// prepare finishes a parsed tree: it flattens ORs nested in ORs and ANDs nested in ANDs (which come
// from parentheses) into their parents, and builds each orExpr's evaluation plan. Doing this once on
// the finished tree, rather than in newOr and newAnd, keeps it linear: flattening while parsing would
// copy an inner chain again at every enclosing level, up to MaxDepth times. The recursion is bounded by
// the tree's depth, which Parse bounds through MaxDepth.
func prepare(e Expr) {
	switch e := e.(type) {
	case *orExpr:
		e.terms = flatten(make([]Expr, 0, len(e.terms)), e.terms, func(o *orExpr) []Expr { return o.terms })
		for _, t := range e.terms {
			prepare(t)
		}
		e.plan()
	case *andExpr:
		e.terms = flatten(make([]Expr, 0, len(e.terms)), e.terms, func(a *andExpr) []Expr { return a.terms })
		for _, t := range e.terms {
			prepare(t)
		}
	case *notExpr:
		prepare(e.x)
	}
}

// flatten appends terms to dst, splicing in the terms of every term that is itself a J (an OR in
// an OR, an AND in an AND), so that a OR (b OR c) becomes a OR b OR c.
func flatten[J interface{ *orExpr | *andExpr }](dst, terms []Expr, sub func(J) []Expr) []Expr {
	for _, t := range terms {
		if j, ok := t.(J); ok {
			dst = flatten(dst, sub(j), sub)
		} else {
			dst = append(dst, t)
		}
	}
	return dst
}

// plan fills e.eval: equality terms on a property that has two or more of them become one eqGroup.
func (e *orExpr) plan() {
	count := make(map[string]int)
	for _, t := range e.terms {
		if c, ok := t.(*compareExpr); ok && c.op == opEq {
			count[c.prop]++
		}
	}
	groups := make(map[string]*eqGroup)
	e.eval = make([]evaler, 0, len(e.terms))
	for _, t := range e.terms {
		c, ok := t.(*compareExpr)
		if !ok || c.op != opEq || count[c.prop] < 2 {
			e.eval = append(e.eval, t)
			continue
		}
		g := groups[c.prop]
		if g == nil {
			g = &eqGroup{prop: c.prop}
			groups[c.prop] = g
			e.eval = append(e.eval, g)
		}
		g.add(c.lit)
	}
}

func (e *orExpr) Eval(r Row) (bool, error) {
	plan := e.eval
	if plan == nil { // not prepared; cannot happen for a tree from Parse
		plan = make([]evaler, len(e.terms))
		for i, t := range e.terms {
			plan[i] = t
		}
	}
	result := false
	for _, t := range plan {
		m, err := t.Eval(r)
		if err != nil {
			return false, err
		}
		result = result || m
	}
	return result, nil
}

func (e *orExpr) String() string { return exprString(e) }

// eqGroup evaluates prop = lit1 OR prop = lit2 OR ... with one lookup of prop. It gives exactly the
// result of evaluating each compareExpr separately.
type eqGroup struct {
	prop     string
	strs     map[string]struct{} // foldString of string literals
	nums     map[number]struct{}
	hasTrue  bool // a TRUE literal is present
	hasFalse bool // a FALSE literal is present
}

func (g *eqGroup) add(l literal) {
	switch l.kind {
	case litString:
		if g.strs == nil {
			g.strs = make(map[string]struct{})
		}
		g.strs[foldString(l.text)] = struct{}{}
	case litNumber:
		if g.nums == nil {
			g.nums = make(map[number]struct{})
		}
		g.nums[l.num] = struct{}{}
	case litBool:
		if l.text == "TRUE" {
			g.hasTrue = true
		} else {
			g.hasFalse = true
		}
	}
	// litNull: never equal, but the property is still looked up so unknown names are reported.
}

func (g *eqGroup) Eval(r Row) (bool, error) {
	v, isNull, err := lookup(r, g.prop)
	if err != nil || isNull {
		return false, err
	}
	if g.strs != nil {
		if _, hit := g.strs[foldString(v)]; hit {
			return true, nil
		}
	}
	if g.nums != nil {
		if n, ok := parseNumber(v); ok {
			if _, hit := g.nums[n]; hit {
				return true, nil
			}
		}
	}
	return (g.hasTrue && strings.EqualFold(v, "TRUE")) || (g.hasFalse && strings.EqualFold(v, "FALSE")), nil
}

// Operator precedence levels for rendering, lowest first.
const (
	precOr = iota
	precAnd
	precNot
)

func prec(e Expr) int {
	switch e.(type) {
	case *orExpr:
		return precOr
	case *andExpr:
		return precAnd
	}
	return precNot
}

func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, precOr)
	return b.String()
}

// writeExpr renders e, parenthesised if its precedence is lower than minPrec. The recursion depth is
// bounded by the tree's depth, which Parse bounds through MaxDepth.
func writeExpr(b *strings.Builder, e Expr, minPrec int) {
	p := prec(e)
	if p < minPrec {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch e := e.(type) {
	case *orExpr:
		for i, t := range e.terms {
			if i > 0 {
				b.WriteString(" OR ")
			}
			writeExpr(b, t, precAnd)
		}
	case *andExpr:
		for i, t := range e.terms {
			if i > 0 {
				b.WriteString(" AND ")
			}
			writeExpr(b, t, precNot)
		}
	case *notExpr:
		b.WriteString("NOT ")
		writeExpr(b, e.x, precNot)
	case *compareExpr:
		b.WriteString(e.prop)
		if e.op == opEq {
			b.WriteString(" = ")
		} else {
			b.WriteString(" <> ")
		}
		b.WriteString(e.lit.String())
	case *likeExpr:
		b.WriteString(e.prop)
		b.WriteString(" LIKE ")
		// A parsed pattern never holds both quotes: its literal could not have been written.
		q, _ := likeDelimiter(e.pattern.source)
		b.WriteString(q + e.pattern.source + q)
	case *nullExpr:
		b.WriteString(e.prop)
		if e.not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
	default:
		// An Expr from outside this package: render it as it renders itself, parenthesised so that
		// it stays one operand.
		b.WriteByte('(')
		b.WriteString(e.String())
		b.WriteByte(')')
	}
}
