package wsman

import "context"

// Get reads one instance by its selectors (WS-Transfer Get).
func (c *Client) Get(ctx context.Context, resourceURI string, selectors ...Selector) (*Instance, error) {
	env, err := c.Do(ctx, Request{Header: Header{ResourceURI: resourceURI, Action: ActionGet, Selectors: selectors}, Idempotent: true})
	if err != nil {
		return nil, err
	}
	return env.Instance()
}

// InstanceBody is a body that is one instance, as in a WS-Transfer GetResponse.
type InstanceBody struct {
	Instance *Instance
}

func (b *InstanceBody) writeBody(w *xmlWriter, _ *Header) { w.writeItem(b.Instance) }

// Instance interprets the body as one instance (a GetResponse).
func (e *Envelope) Instance() (*Instance, error) {
	if e.Body == nil {
		return nil, decodeErrorf("empty body where an instance was expected")
	}
	return decodeInstance(e.Body), nil
}
