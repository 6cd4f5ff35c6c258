package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wql"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// enumerate runs a WQL query (or enumerates the class) and answers with the first batch when the
// client asked for OptimizeEnumeration, keeping the rest for Pull (MS-WSMV 3.1.4.1.16, 4.1.2).
func (s *Server) enumerate(ctx context.Context, w http.ResponseWriter, env *wsman.Envelope) {
	req, err := env.Enumerate()
	if err != nil {
		s.writeFault(w, env, invalidParameterFault(err.Error()))
		return
	}
	uri := env.Header.ResourceURI
	if !strings.EqualFold(uri, namespaceWildURI) && !strings.EqualFold(uri, addressSpaceURI) {
		s.writeFault(w, env, resourceNotFound(uri))
		return
	}
	if req.Mode != "" {
		s.writeFault(w, env, wsman.NewFault(wsman.FaultEnumerationModeUnsupported, ""))
		return
	}
	q := &wql.Query{Class: classAddressSp}
	switch {
	case req.Dialect == "" && strings.TrimSpace(req.Filter) == "":
		if strings.EqualFold(uri, namespaceWildURI) {
			// Enumerating a namespace needs a query naming the class (ipam-api.md 4.1).
			s.writeFault(w, env, wsman.NewFault(wsman.FaultFilteringRequired, ""))
			return
		}
	case strings.EqualFold(req.Dialect, wsman.DialectWQL):
		if q, err = wql.Parse(req.Filter); err != nil {
			s.writeFault(w, env, queryFault(15, ipam.WBEMInvalidQuery, err.Error()))
			return
		}
	default:
		s.writeFault(w, env, wsman.NewFault(wsman.FaultFilterDialectUnavailable, "supported dialect: "+wsman.DialectWQL))
		return
	}
	if !strings.EqualFold(q.Class, classAddressSp) {
		s.writeFault(w, env, queryFault(5, 0x80041010, fmt.Sprintf("invalid class %q: this server serves %s", q.Class, classAddressSp)))
		return
	}
	var props []string
	for _, p := range q.Properties {
		name, ok := canonicalProperty(p)
		if !ok {
			s.writeFault(w, env, queryFault(15, ipam.WBEMInvalidQuery, fmt.Sprintf("invalid query: %s has no property %q", classAddressSp, p)))
			return
		}
		props = append(props, name)
	}
	if q.Properties != nil && props == nil {
		props = []string{}
	}
	where, args := indexedLookup(q)
	spaces, err := s.eng.List(ctx, where, args, func(a *ipam.AddressSpace) (bool, error) { return q.Match(renderedRow{a, s.cfg.TypeNumbering}) })
	if err != nil {
		var unknown *wql.UnknownPropertyError
		if errors.As(err, &unknown) {
			s.writeFault(w, env, queryFault(15, ipam.WBEMInvalidQuery, "invalid query: "+err.Error()))
			return
		}
		s.writeFault(w, env, internalFault(err))
		return
	}
	items := make([]*wsman.Instance, len(spaces))
	for i := range spaces {
		items[i] = toInstance(&spaces[i], props, s.cfg.TypeNumbering)
	}
	result := &wsman.EnumerationResult{}
	if req.Optimize {
		result.Items, items, err = batch(items, req.MaxElements, env.Header.MaxEnvelopeSize)
		if err != nil {
			s.writeFault(w, env, encodingLimitFault(err.Error()))
			return
		}
		result.EndOfSequence = len(items) == 0
	}
	if !result.EndOfSequence {
		result.Context = s.saveEnumeration(items)
	}
	s.respond(w, env, wsman.ActionEnumerateResponse, result)
}

// indexedLookup turns `InstanceID = 'a' OR InstanceID = 'b'` (or the same on Name) into an
// indexed SQL lookup, so refreshing a few objects does not read them all.
func indexedLookup(q *wql.Query) (string, []any) {
	// The keys come deduplicated ignoring case, as WQL compares strings; so must the lookup.
	for _, c := range []struct{ prop, column string }{{"InstanceID", "a.instance_id COLLATE NOCASE"}, {"Name", "a.name_key"}} {
		keys, ok := q.EqualityKeys(c.prop)
		if !ok || len(keys) == 0 || len(keys) > 30000 {
			continue
		}
		args := make([]any, len(keys))
		for i, k := range keys {
			if c.prop == "Name" {
				k = ipam.NameKey(k)
			}
			args[i] = k
		}
		return "WHERE " + c.column + " IN (?" + strings.Repeat(",?", len(keys)-1) + ")", args
	}
	return "", nil
}

// batch takes as many items as MaxElements allows and the client's MaxEnvelopeSize can carry.
func batch(items []*wsman.Instance, maxElements, maxEnvelope int) (now, rest []*wsman.Instance, err error) {
	if maxElements <= 0 {
		maxElements = 1 // DSP0226: MaxElements defaults to 1
	}
	if maxElements > maxBatchItems {
		maxElements = maxBatchItems
	}
	// What an envelope around the items takes, headers and context included, with room to spare.
	const overhead = 2048
	budget := maxEnvelope - overhead
	n, size := 0, 0
	for n < len(items) && n < maxElements {
		sz, err := wsman.ItemSize(items[n])
		if err != nil {
			return nil, nil, err
		}
		if maxEnvelope > 0 && size+sz > budget {
			if n == 0 {
				return nil, nil, fmt.Errorf("one item takes %d bytes, more than the MaxEnvelopeSize of %d allows", sz, maxEnvelope)
			}
			break
		}
		size += sz
		n++
	}
	return items[:n], items[n:], nil
}

func (s *Server) saveEnumeration(items []*wsman.Instance) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for k, e := range s.enums {
		if now.After(e.expires) {
			delete(s.enums, k)
		}
	}
	if len(s.enums) >= maxEnumerations {
		// Drop the enumeration that expires first, as a server under quota would.
		var oldest string
		for k, e := range s.enums {
			if oldest == "" || e.expires.Before(s.enums[oldest].expires) {
				oldest = k
			}
		}
		delete(s.enums, oldest)
	}
	id := "uuid:" + wsman.NewUUID()
	s.enums[id] = &enumeration{items: items, expires: now.Add(enumerationTTL)}
	return id
}

func invalidContextFault(ctx string) *wsman.Fault {
	return wsman.NewFault(wsman.FaultInvalidEnumerationContext, fmt.Sprintf("unknown or expired enumeration context %q", ctx))
}

func (s *Server) pull(w http.ResponseWriter, env *wsman.Envelope) {
	req, err := env.Pull()
	if err != nil {
		s.writeFault(w, env, invalidParameterFault(err.Error()))
		return
	}
	// Every Pull gets a new context, so a replayed one fails.
	e, ok := s.takeEnumeration(req.Context)
	if !ok || time.Now().After(e.expires) {
		s.writeFault(w, env, invalidContextFault(req.Context))
		return
	}
	result := &wsman.EnumerationResult{Pull: true}
	var rest []*wsman.Instance
	result.Items, rest, err = batch(e.items, req.MaxElements, env.Header.MaxEnvelopeSize)
	if err != nil {
		s.writeFault(w, env, encodingLimitFault(err.Error()))
		return
	}
	if len(rest) == 0 {
		result.EndOfSequence = true
	} else {
		result.Context = s.saveEnumeration(rest)
	}
	s.respond(w, env, wsman.ActionPullResponse, result)
}

func (s *Server) release(w http.ResponseWriter, env *wsman.Envelope) {
	req, err := env.Release()
	if err != nil {
		s.writeFault(w, env, invalidParameterFault(err.Error()))
		return
	}
	if _, ok := s.takeEnumeration(req.Context); !ok {
		s.writeFault(w, env, invalidContextFault(req.Context))
		return
	}
	s.respond(w, env, wsman.ActionReleaseResponse, wsman.EmptyBody{})
}

// takeEnumeration removes an enumeration context and returns what was left to pull.
func (s *Server) takeEnumeration(id string) (*enumeration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.enums[id]
	delete(s.enums, id)
	return e, ok
}
