package wql

import (
	"fmt"
	"strconv"
)

// parser is a recursive-descent parser with one token of lookahead. Recursion happens only through
// parentheses, whose depth is capped by MaxDepth; AND/OR chains and NOT runs are loops.
type parser struct {
	lex lexer
	tok token
}

func (p *parser) advance() *SyntaxError {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) isKeyword(k string) bool {
	return p.tok.kind == tKeyword && p.tok.text == k
}

// expectKeyword moves past keyword k, or reports what stands in its place.
func (p *parser) expectKeyword(k string) *SyntaxError {
	if !p.isKeyword(k) {
		return p.errorf("expected %s, found %s", k, describe(p.tok))
	}
	return p.advance()
}

func (p *parser) errorf(format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: p.tok.pos, Msg: fmt.Sprintf(format, args...)}
}

func parseQuery(s string) (*Query, *SyntaxError) {
	if len(s) > MaxQueryLength {
		return nil, &SyntaxError{Pos: MaxQueryLength, Msg: fmt.Sprintf("query is %d bytes long; the maximum is %d", len(s), MaxQueryLength)}
	}
	p := &parser{lex: lexer{src: s}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	q := &Query{}
	switch {
	case p.tok.kind == tStar:
		if err := p.advance(); err != nil {
			return nil, err
		}
	case p.isKeyword("FROM") || p.tok.kind == tEOF:
		return nil, p.errorf("empty property list: expected * or a property name after SELECT, found %s", describe(p.tok))
	default:
		q.Properties = []string{}
		after := "SELECT"
		for {
			if p.tok.kind != tIdent {
				return nil, p.errorf("expected a property name after %s, found %s", after, describe(p.tok))
			}
			q.Properties = append(q.Properties, p.tok.text)
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.kind != tComma {
				break
			}
			after = "','"
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	if p.tok.kind != tIdent {
		return nil, p.errorf("expected a class name after FROM, found %s", describe(p.tok))
	}
	q.Class = p.tok.text
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.isKeyword("WHERE") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tEOF {
			return nil, p.errorf("expected a condition after WHERE, found end of query")
		}
		e, err := p.parseOr(0)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tEOF {
			return nil, p.errorf("expected AND, OR or end of query, found %s", describe(p.tok))
		}
		prepare(e)
		q.Where = e
		return q, nil
	}
	if p.tok.kind != tEOF {
		return nil, p.errorf("expected WHERE or end of query, found %s", describe(p.tok))
	}
	return q, nil
}

// parseOr parses and { OR and }. depth is the number of enclosing parentheses and NOTs.
func (p *parser) parseOr(depth int) (Expr, *SyntaxError) {
	return p.parseChain(depth, "OR", (*parser).parseAnd, newOr)
}

// parseAnd parses unary { AND unary }.
func (p *parser) parseAnd(depth int) (Expr, *SyntaxError) {
	return p.parseChain(depth, "AND", (*parser).parseUnary, newAnd)
}

// parseChain parses term { keyword term }: one term alone, or two or more joined by join.
func (p *parser) parseChain(depth int, keyword string, term func(*parser, int) (Expr, *SyntaxError), join func([]Expr) Expr) (Expr, *SyntaxError) {
	first, err := term(p, depth)
	if err != nil {
		return nil, err
	}
	if !p.isKeyword(keyword) {
		return first, nil
	}
	terms := []Expr{first}
	for p.isKeyword(keyword) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		t, err := term(p, depth)
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	return join(terms), nil
}

// parseUnary parses { NOT } primary; the NOTs are counted in a loop rather than by recursion.
func (p *parser) parseUnary(depth int) (Expr, *SyntaxError) {
	nots := 0
	for p.isKeyword("NOT") {
		if depth+nots+1 > MaxDepth {
			return nil, p.errorf("condition nested more than %d levels deep (parentheses and NOT)", MaxDepth)
		}
		nots++
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	e, err := p.parsePrimary(depth + nots)
	if err != nil {
		return nil, err
	}
	for range nots {
		e = &notExpr{x: e}
	}
	return e, nil
}

// parsePrimary parses a parenthesised condition or a comparison.
func (p *parser) parsePrimary(depth int) (Expr, *SyntaxError) {
	if p.tok.kind != tLParen {
		return p.parseComparison()
	}
	if depth+1 > MaxDepth {
		return nil, p.errorf("condition nested more than %d levels deep (parentheses and NOT)", MaxDepth)
	}
	open := p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.parseOr(depth + 1)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tRParen {
		if p.tok.kind == tEOF {
			return nil, p.errorf("expected ')' to close the '(' at %d, found end of query", open)
		}
		return nil, p.errorf("expected ')' to close the '(' at %d, found %s", open, describe(p.tok))
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	return e, nil
}

func (p *parser) isLiteralStart() bool {
	switch p.tok.kind {
	case tString, tNumber:
		return true
	case tKeyword:
		return p.tok.text == "TRUE" || p.tok.text == "FALSE" || p.tok.text == "NULL"
	}
	return false
}

// literal converts the current token, which must satisfy isLiteralStart, and advances past it.
func (p *parser) literal() (literal, *SyntaxError) {
	var l literal
	switch p.tok.kind {
	case tString:
		l = literal{kind: litString, text: p.tok.text}
	case tNumber:
		n, ok := parseNumber(p.tok.text)
		if !ok { // cannot happen: the lexer's number syntax is a subset of parseNumber's
			return l, p.errorf("invalid number %s", strconv.Quote(p.tok.text))
		}
		l = literal{kind: litNumber, text: p.tok.text, num: n}
	default:
		switch p.tok.text {
		case "TRUE":
			l = literal{kind: litBool, text: "TRUE"}
		case "FALSE":
			l = literal{kind: litBool, text: "FALSE"}
		default:
			l = literal{kind: litNull, text: "NULL"}
		}
	}
	return l, p.advance()
}

func unsupportedOp(t token) string {
	return fmt.Sprintf("unsupported operator '%s': only =, <>, !=, LIKE and IS [NOT] NULL are supported", t.text)
}

// parseComparison parses prop op literal, literal op prop, prop LIKE 'pattern' and prop IS [NOT] NULL.
func (p *parser) parseComparison() (Expr, *SyntaxError) {
	if p.isLiteralStart() {
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		var op cmpOp
		switch p.tok.kind {
		case tEq:
			op = opEq
		case tNe:
			op = opNe
		case tBadOp:
			return nil, p.errorf("%s", unsupportedOp(p.tok))
		default:
			return nil, p.errorf("expected '=', '<>' or '!=' after a literal, found %s", describe(p.tok))
		}
		opText := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tIdent {
			return nil, p.errorf("expected a property name after '%s', found %s", opText, describe(p.tok))
		}
		prop := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &compareExpr{prop: prop, op: op, lit: lit}, nil
	}
	if p.tok.kind != tIdent {
		return nil, p.errorf("expected a condition (a property name, a literal, NOT or '('), found %s", describe(p.tok))
	}
	prop := p.tok.text
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch {
	case p.tok.kind == tEq || p.tok.kind == tNe:
		op := opEq
		if p.tok.kind == tNe {
			op = opNe
		}
		opText := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isLiteralStart() {
			return nil, p.errorf("expected a string or number after '%s'", opText)
		}
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		return &compareExpr{prop: prop, op: op, lit: lit}, nil
	case p.isKeyword("LIKE"):
		t, err := p.lex.nextLikePattern()
		if err != nil {
			return nil, err
		}
		p.tok = t
		if p.tok.kind != tString {
			return nil, p.errorf("expected a string pattern after LIKE, found %s", describe(p.tok))
		}
		pat, msg := compileLike(p.tok.text)
		if msg != "" {
			return nil, p.errorf("invalid LIKE pattern: %s", msg)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &likeExpr{prop: prop, pattern: pat}, nil
	case p.isKeyword("IS"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		not := false
		if p.isKeyword("NOT") {
			not = true
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		if !p.isKeyword("NULL") {
			if not {
				return nil, p.errorf("expected NULL after IS NOT, found %s", describe(p.tok))
			}
			return nil, p.errorf("expected NULL or NOT NULL after IS, found %s", describe(p.tok))
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &nullExpr{prop: prop, not: not}, nil
	case p.tok.kind == tBadOp:
		return nil, p.errorf("%s", unsupportedOp(p.tok))
	default:
		return nil, p.errorf("expected an operator (=, <>, !=, LIKE or IS) after property %s, found %s", prop, describe(p.tok))
	}
}
