package wql

import (
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"
)

type likeKind uint8

const (
	likeRune likeKind = iota // one character equal (case-insensitively) to r
	likeAny                  // _: any one character
	likeSet                  // [...]: one character in (or, if neg, not in) ranges
	likeStar                 // %: any run of characters, including none
)

type runeRange struct{ lo, hi rune }

// likeTok is one pattern element. It holds no pointers, so that a pattern of a million elements is one
// flat allocation that the garbage collector need not scan.
type likeTok struct {
	kind likeKind
	neg  bool  // likeSet: [^...]
	r    rune  // likeRune: foldRune of the pattern character
	set  int32 // likeSet: index into likePattern.sets
}

// likePattern is a compiled LIKE pattern. Every token except % consumes exactly one character, which
// is what lets match run in O(len(value) × len(pattern)) time with no exponential backtracking.
type likePattern struct {
	source  string
	toks    []likeTok
	sets    [][]runeRange // each sorted, non-overlapping and non-adjacent
	fixed   int           // number of tokens that consume exactly one character
	hasStar bool          // at least one %
}

// compileLike compiles a LIKE pattern. On failure it returns a description of the problem.
//
// Syntax: % matches any run of characters, _ any one character, [abc] one of a set, [a-f] one of a
// range, [^...] one character not in the set; everything else matches itself, case-insensitively.
// There is no escape character: [%], [_] and [[] match the literal characters. In a set, a ] directly
// after [ or [^ is a member, and a - that cannot form a range (first or last) is a member. A range
// whose ends are reversed, such as [z-a], matches nothing.
func compileLike(p string) (*likePattern, string) {
	lp := &likePattern{source: p, toks: make([]likeTok, 0, utf8.RuneCountInString(p))}
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch r {
		case '%':
			i += size
			if !lp.hasStar || lp.toks[len(lp.toks)-1].kind != likeStar {
				lp.toks = append(lp.toks, likeTok{kind: likeStar})
			}
			lp.hasStar = true
			continue
		case '_':
			i += size
			lp.toks = append(lp.toks, likeTok{kind: likeAny})
		case '[':
			neg, ranges, next, msg := compileSet(p, i)
			if msg != "" {
				return nil, msg
			}
			i = next
			lp.toks = append(lp.toks, likeTok{kind: likeSet, neg: neg, set: int32(len(lp.sets))})
			lp.sets = append(lp.sets, ranges)
		default:
			i += size
			lp.toks = append(lp.toks, likeTok{kind: likeRune, r: foldRune(r)})
		}
		lp.fixed++
	}
	return lp, ""
}

// compileSet compiles the set starting at p[start] == '[' and returns whether it is negated, its
// ranges, and the index after its ']'.
func compileSet(p string, start int) (neg bool, ranges []runeRange, next int, msg string) {
	i := start + 1
	if i < len(p) && p[i] == '^' {
		neg = true
		i++
	}
	first := true
	for {
		if i >= len(p) {
			return false, nil, 0, fmt.Sprintf("unterminated '[' at byte %d of the pattern", start)
		}
		lo, size := utf8.DecodeRuneInString(p[i:])
		if lo == ']' && !first {
			i += size
			break
		}
		first = false
		i += size
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			var s int
			hi, s = utf8.DecodeRuneInString(p[i+1:])
			i += 1 + s
		}
		if lo <= hi {
			ranges = append(ranges, runeRange{lo, hi})
		}
	}
	// Sort and merge so that membership is a binary search.
	slices.SortFunc(ranges, func(a, b runeRange) int { return int(a.lo) - int(b.lo) })
	merged := ranges[:0]
	for _, rr := range ranges {
		if n := len(merged); n > 0 && rr.lo <= merged[n-1].hi+1 {
			merged[n-1].hi = max(merged[n-1].hi, rr.hi)
			continue
		}
		merged = append(merged, rr)
	}
	return neg, merged, i, ""
}

func inRanges(ranges []runeRange, r rune) bool {
	i, _ := slices.BinarySearchFunc(ranges, r, func(rr runeRange, r rune) int {
		switch {
		case rr.hi < r:
			return -1
		case rr.lo > r:
			return 1
		}
		return 0
	})
	return i < len(ranges) && ranges[i].lo <= r && r <= ranges[i].hi
}

// matchOne reports whether the single-character token t matches r.
func (lp *likePattern) matchOne(t *likeTok, r rune) bool {
	switch t.kind {
	case likeAny:
		return true
	case likeRune:
		return foldRune(r) == t.r
	case likeSet:
		// Case-insensitive: r is in the set if any member of its case-folding orbit is.
		ranges := lp.sets[t.set]
		in := inRanges(ranges, r)
		for f := unicode.SimpleFold(r); !in && f != r; f = unicode.SimpleFold(f) {
			in = inRanges(ranges, f)
		}
		return in != t.neg
	}
	return false
}

// match reports whether the whole of v matches the pattern. It is the classic two-pointer wildcard
// algorithm: on a mismatch it resumes just after the most recent %, letting that % absorb one more
// character. Because every other token consumes exactly one character, earlier % never need to be
// revisited, so the cost is at most O(len(v) × len(pattern)) and there is no exponential blow-up.
// Invalid UTF-8 bytes count as one character each, as they do in strings.EqualFold.
func (lp *likePattern) match(v string) bool {
	n := utf8.RuneCountInString(v)
	if n < lp.fixed || (!lp.hasStar && n != lp.fixed) {
		return false
	}
	toks := lp.toks
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(v) {
		if pi < len(toks) {
			if toks[pi].kind == likeStar {
				starP, starS = pi, si
				pi++
				continue
			}
			r, size := utf8.DecodeRuneInString(v[si:])
			if lp.matchOne(&toks[pi], r) {
				pi++
				si += size
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, size := utf8.DecodeRuneInString(v[starS:])
		starS += size
		pi, si = starP+1, starS
	}
	for pi < len(toks) && toks[pi].kind == likeStar {
		pi++
	}
	return pi == len(toks)
}
