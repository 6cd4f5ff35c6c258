package ipam

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// example is an input of a function under test and the result it must give.
type example[In any, Out comparable] struct {
	in   In
	want Out
}

// checkExamples runs f on every example, each in a parallel subtest named after its input, and
// compares what f returns with the example's want.
func checkExamples[In any, Out comparable](t *testing.T, name string, f func(In) Out, examples []example[In, Out]) {
	t.Helper()
	t.Parallel()
	for _, ex := range examples {
		t.Run(fmt.Sprint(ex.in), func(t *testing.T) {
			t.Parallel()
			if got := f(ex.in); got != ex.want {
				t.Errorf("%s(%#v) = %#v, want %#v", name, ex.in, got, ex.want)
			}
		})
	}
}

// orError makes a function that can fail comparable: its result, or the text of its error.
func orError[In, Out any](f func(In) (Out, error)) func(In) any {
	return func(in In) any {
		v, err := f(in)
		if err != nil {
			return "error: " + err.Error()
		}
		return v
	}
}

// wantInvalid checks that a call failed with an Invalid error that mentions each of texts.
func wantInvalid(t *testing.T, call string, err error, texts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s = nil, want an error", call)
	}
	if !errors.Is(err, ErrInvalid) || KindOf(err) != KindInvalid {
		t.Errorf("%s = %v, does not wrap ErrInvalid", call, err)
	}
	for _, text := range texts {
		if !strings.Contains(err.Error(), text) {
			t.Errorf("%s = %q, does not mention %q", call, err, text)
		}
	}
}
