package wql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF     tokKind = iota
	tIdent           // text: the name as written
	tKeyword         // text: the keyword in upper case
	tString          // text: the unescaped value
	tNumber          // text: the literal as written
	tStar
	tComma
	tLParen
	tRParen
	tEq    // =
	tNe    // <> or != (text says which)
	tBadOp // <, >, <=, >=: WQL operators this package does not support
)

type token struct {
	kind tokKind
	pos  int
	text string
}

var keywords = [...]string{"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE", "IS", "NULL", "TRUE", "FALSE"}

func keyword(s string) (string, bool) {
	for _, k := range keywords {
		if len(k) == len(s) && strings.EqualFold(k, s) {
			return k, true
		}
	}
	return "", false
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdentByte(c byte) bool { return isIdentStart(c) || isDigit(c) }

type lexer struct {
	src string
	off int
}

func (l *lexer) next() (token, *SyntaxError) { return l.lex(false) }

// nextLikePattern lexes the token after LIKE, where a string literal has no escapes: [MS-WMI] 2.2.1,
// "The server MUST treat a backslash as an escape character in a WQL query, except within a LIKE
// clause."
func (l *lexer) nextLikePattern() (token, *SyntaxError) { return l.lex(true) }

func (l *lexer) lex(rawStrings bool) (token, *SyntaxError) {
	s := l.src
	for l.off < len(s) {
		switch s[l.off] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			l.off++
			continue
		}
		break
	}
	start := l.off
	if start >= len(s) {
		return token{kind: tEOF, pos: len(s)}, nil
	}
	c := s[start]
	switch {
	case isIdentStart(c):
		end := start + 1
		for end < len(s) && isIdentByte(s[end]) {
			end++
		}
		l.off = end
		word := s[start:end]
		if k, ok := keyword(word); ok {
			return token{kind: tKeyword, pos: start, text: k}, nil
		}
		return token{kind: tIdent, pos: start, text: word}, nil
	case isDigit(c) || (c == '-' && start+1 < len(s) && isDigit(s[start+1])):
		return l.number(start)
	case (c == '\'' || c == '"') && rawStrings:
		return l.rawStr(start)
	case c == '\'' || c == '"':
		return l.str(start)
	}
	l.off = start + 1
	switch c {
	case '*':
		return token{kind: tStar, pos: start, text: "*"}, nil
	case ',':
		return token{kind: tComma, pos: start, text: ","}, nil
	case '(':
		return token{kind: tLParen, pos: start, text: "("}, nil
	case ')':
		return token{kind: tRParen, pos: start, text: ")"}, nil
	case '=':
		return token{kind: tEq, pos: start, text: "="}, nil
	case '!':
		if start+1 < len(s) && s[start+1] == '=' {
			l.off++
			return token{kind: tNe, pos: start, text: "!="}, nil
		}
	case '<':
		if start+1 < len(s) && s[start+1] == '>' {
			l.off++
			return token{kind: tNe, pos: start, text: "<>"}, nil
		}
		if start+1 < len(s) && s[start+1] == '=' {
			l.off++
			return token{kind: tBadOp, pos: start, text: "<="}, nil
		}
		return token{kind: tBadOp, pos: start, text: "<"}, nil
	case '>':
		if start+1 < len(s) && s[start+1] == '=' {
			l.off++
			return token{kind: tBadOp, pos: start, text: ">="}, nil
		}
		return token{kind: tBadOp, pos: start, text: ">"}, nil
	}
	return token{}, &SyntaxError{Pos: start, Msg: "unexpected character " + quoteChar(s[start:])}
}

// number lexes -?[0-9]+(\.[0-9]+)? and insists that it is not glued to a following name or dot.
func (l *lexer) number(start int) (token, *SyntaxError) {
	s := l.src
	i := start
	if s[i] == '-' {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return token{}, &SyntaxError{Pos: start, Msg: "invalid number " + strconv.Quote(s[start:i]) + ": expected digits after the decimal point"}
		}
	}
	if i < len(s) && (isIdentByte(s[i]) || s[i] == '.') {
		end := i
		for end < len(s) && (isIdentByte(s[end]) || s[end] == '.') && end-start < 40 {
			end++
		}
		return token{}, &SyntaxError{Pos: start, Msg: "invalid number " + strconv.Quote(s[start:end])}
	}
	l.off = i
	return token{kind: tNumber, pos: start, text: s[start:i]}, nil
}

// str lexes a single- or double-quoted string; a backslash takes the next byte literally.
func (l *lexer) str(start int) (token, *SyntaxError) {
	s := l.src
	q := s[start]
	i := start + 1
	// Fast path: no escapes, the value is a substring of the query.
	for i < len(s) && s[i] != q && s[i] != '\\' {
		i++
	}
	if i < len(s) && s[i] == q {
		l.off = i + 1
		return token{kind: tString, pos: start, text: s[start+1 : i]}, nil
	}
	var b strings.Builder
	b.WriteString(s[start+1 : i])
	for i < len(s) {
		c := s[i]
		switch c {
		case q:
			l.off = i + 1
			return token{kind: tString, pos: start, text: b.String()}, nil
		case '\\':
			if i+1 >= len(s) {
				i = len(s)
				continue
			}
			b.WriteByte(s[i+1])
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return token{}, &SyntaxError{Pos: start, Msg: "unterminated string literal (missing closing " + string(q) + ")"}
}

// rawStr lexes a single- or double-quoted string in which every byte up to the closing quote is
// taken literally, so it cannot contain its own delimiter.
func (l *lexer) rawStr(start int) (token, *SyntaxError) {
	s := l.src
	q := s[start]
	n := strings.IndexByte(s[start+1:], q)
	if n < 0 {
		return token{}, &SyntaxError{Pos: start, Msg: "unterminated LIKE pattern (missing closing " + string(q) + "; a backslash does not escape inside LIKE)"}
	}
	l.off = start + 1 + n + 1
	return token{kind: tString, pos: start, text: s[start+1 : start+1+n]}, nil
}

// quoteChar renders the character at the start of s for an error message.
func quoteChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("byte 0x%02x", s[0])
	}
	return strconv.QuoteRune(r)
}

// describe renders a token for an error message.
func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tIdent:
		return "identifier " + shorten(t.text)
	case tKeyword:
		return "keyword " + t.text
	case tString:
		return "string " + Quote(shorten(t.text))
	case tNumber:
		return "number " + shorten(t.text)
	default:
		return "'" + t.text + "'"
	}
}

func shorten(s string) string {
	const maxLen = 32
	if len(s) <= maxLen {
		return s
	}
	cut := maxLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
