package wmi

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// Terraform refreshes resources in parallel, each with its own Get. Sent one by one, a refresh of
// 1,000 address spaces would cost 1,000 round trips. The reader merges Gets that arrive within a
// short window into one WQL query (InstanceID = 'a' OR InstanceID = 'b' ...), and when a burst of
// Gets shows a large refresh under way, it reads every address space once and answers the rest of
// the burst from that snapshot. Any write through this client drops the snapshot.
const (
	coalesceWindow = 3 * time.Millisecond
	// maxCoalesced caps the ids in one query, so the query stays far below MaxEnvelopeSize.
	maxCoalesced = 200
	// burstThreshold Gets within burstWindow switch the reader to a snapshot of all address spaces.
	burstThreshold = 32
	burstWindow    = time.Second
	// snapshotTTL is how long a snapshot answers after its last use.
	snapshotTTL = 3 * time.Second
)

type getResult struct {
	a   *ipam.AddressSpace
	err error
}

type snapshot struct {
	byID     map[string]*ipam.AddressSpace
	gen      uint64
	lastUsed time.Time
}

type reader struct {
	c  *Client
	mu sync.Mutex
	// pending maps a lower-case InstanceID to the Gets waiting for it.
	pending   map[string][]chan getResult
	ids       []string // pending ids in arrival order, original spelling
	scheduled bool
	ctx       context.Context // of the first waiter of the pending batch, for logging
	burst     []time.Time
	snap      *snapshot
	gen       uint64
}

func newReader(c *Client) *reader {
	return &reader{c: c, pending: map[string][]chan getResult{}}
}

// invalidate is called on every write: what was read before may no longer hold.
func (r *reader) invalidate() {
	r.mu.Lock()
	r.gen++
	r.snap = nil
	r.mu.Unlock()
}

func (r *reader) get(ctx context.Context, id string) (*ipam.AddressSpace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := strings.ToLower(id)
	now := time.Now()
	r.mu.Lock()
	if s := r.snap; s != nil && s.gen == r.gen && now.Sub(s.lastUsed) < snapshotTTL {
		s.lastUsed = now
		a := s.byID[key]
		r.mu.Unlock()
		return copyOrNotFound(a, id)
	}
	r.snap = nil
	r.burst = append(r.burst, now)
	for len(r.burst) > 0 && now.Sub(r.burst[0]) > burstWindow {
		r.burst = r.burst[1:]
	}
	ch := make(chan getResult, 1)
	if _, ok := r.pending[key]; !ok {
		r.ids = append(r.ids, id)
	}
	r.pending[key] = append(r.pending[key], ch)
	if !r.scheduled {
		r.scheduled = true
		r.ctx = context.WithoutCancel(ctx)
		time.AfterFunc(coalesceWindow, r.flush)
	}
	r.mu.Unlock()
	select {
	case res := <-ch:
		return res.a, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func copyOrNotFound(a *ipam.AddressSpace, id string) (*ipam.AddressSpace, error) {
	if a == nil {
		return nil, ipam.NewError(ipam.KindNotFound, 0, "", "no address space has InstanceID "+id)
	}
	cp := *a
	return &cp, nil
}

// flush answers every pending Get, with one query per maxCoalesced ids, or with one snapshot of
// all address spaces during a burst.
func (r *reader) flush() {
	r.mu.Lock()
	pending, ids, ctx, gen := r.pending, r.ids, r.ctx, r.gen
	full := len(r.burst) >= burstThreshold
	r.pending, r.ids, r.scheduled = map[string][]chan getResult{}, nil, false
	r.mu.Unlock()

	answer := func(found map[string]*ipam.AddressSpace, err error, batch []string) {
		for _, id := range batch {
			key := strings.ToLower(id)
			for _, ch := range pending[key] {
				if err != nil {
					ch <- getResult{err: err}
					continue
				}
				a, e := copyOrNotFound(found[key], id)
				ch <- getResult{a: a, err: e}
			}
		}
	}
	if full {
		list, err := r.c.List(ctx, ipam.Filter{})
		found := index(list)
		if err == nil {
			r.mu.Lock()
			if r.gen == gen {
				r.snap = &snapshot{byID: found, gen: gen, lastUsed: time.Now()}
			}
			r.mu.Unlock()
		}
		answer(found, err, ids)
		return
	}
	for len(ids) > 0 {
		n := min(len(ids), maxCoalesced)
		batch := ids[:n]
		ids = ids[n:]
		list, err := r.c.List(ctx, ipam.Filter{InstanceIDs: batch})
		answer(index(list), err, batch)
	}
}

func index(list []ipam.AddressSpace) map[string]*ipam.AddressSpace {
	m := make(map[string]*ipam.AddressSpace, len(list))
	for i := range list {
		m[strings.ToLower(list[i].InstanceID)] = &list[i]
	}
	return m
}
