package wmi

import (
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// A server may set MaxEnvelopeSizekb below the client's maximum envelope size (pypsrp records a
// server at 150). A request over it gets HTTP 413 "without processing" ([MS-WSMV] 3.1.4.1.20;
// fidelity-audit item 9), so a bulk batch refused that way is safe to send again in halves.

// EnvelopeRefusedError is the server's HTTP 413: the request was larger than its
// MaxEnvelopeSizekb, and the server did not act on it.
type EnvelopeRefusedError struct {
	// Op is the method or operation; Name the address space concerned, if one is.
	Op, Name string
	// Items is how many address spaces the refused request carried (bulk calls; 0 otherwise).
	Items int
	// MaxEnvelopeSize is the client's maximum envelope size, in bytes.
	MaxEnvelopeSize int
	// Err is the *wsman.HTTPError.
	Err error
}

func (e *EnvelopeRefusedError) Error() string {
	subject := e.Op
	if e.Name != "" {
		subject = fmt.Sprintf("%s %q", e.Op, e.Name)
	}
	what := "the request"
	if e.Items == 1 {
		what = "a request carrying this address space alone"
	}
	return fmt.Sprintf("%s: the server refused %s with HTTP 413 and did not process it: the request is larger than "+
		"the server's MaxEnvelopeSizekb (see winrm get winrm/config), while the client's maximum envelope size is %d bytes",
		subject, what, e.MaxEnvelopeSize)
}

// Facts implements failure.Reporter.
func (e *EnvelopeRefusedError) Facts() failure.Facts {
	f, _ := failure.Of(e.Err)
	f.Kind, f.MaxEnvelopeSize = failure.KindEnvelopeRefused, e.MaxEnvelopeSize
	return f
}

// ItemTooLargeError says that one item alone does not fit the client's maximum envelope size, so
// a call failed before anything was sent.
type ItemTooLargeError struct {
	Op, Name string
	// Size is the bytes the item takes; MaxEnvelopeSize the client's maximum envelope size.
	Size, MaxEnvelopeSize int
}

func (e *ItemTooLargeError) Error() string {
	return fmt.Sprintf("%s %q: the item alone takes %d bytes, more than a request of at most %d bytes can carry",
		e.Op, e.Name, e.Size, e.MaxEnvelopeSize)
}

// Facts implements failure.Reporter. Nothing was sent.
func (e *ItemTooLargeError) Facts() failure.Facts {
	return failure.Facts{Kind: failure.KindItemTooLarge, MaxEnvelopeSize: e.MaxEnvelopeSize, NotActed: true}
}

// Unwrap returns the HTTP error.
func (e *EnvelopeRefusedError) Unwrap() error { return e.Err }

// refused reports whether err is the server's HTTP 413.
func refused(err error) bool {
	var he *wsman.HTTPError
	return errors.As(err, &he) && he.Status == http.StatusRequestEntityTooLarge
}

// batchBudget is the number of item bytes a bulk request may carry. It starts from
// the client's maximum envelope size and only shrinks, when the server refuses a batch with 413; the client then
// keeps the smaller size for the rest of its life, so later calls do not pay the refusal again.
type batchBudget struct {
	learned atomic.Int64 // 0: nothing learned
}

// get returns the budget: the learned one when smaller than configured.
func (b *batchBudget) get(configured int) int {
	if l := int(b.learned.Load()); l > 0 && l < configured {
		return l
	}
	return configured
}

// lower makes the budget at most n bytes (at least 1).
func (b *batchBudget) lower(n int) {
	n = max(n, 1)
	for {
		cur := b.learned.Load()
		if cur != 0 && cur <= int64(n) {
			return
		}
		if b.learned.CompareAndSwap(cur, int64(n)) {
			return
		}
	}
}
