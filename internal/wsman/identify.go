package wsman

// Identify is the body of a WS-Management Identify request (DSP0226 11): no action header, just
// <wsmid:Identify/>. Tools such as wsl use it to check an endpoint.
type Identify struct{}

func (Identify) writeBody(w *xmlWriter, _ *Header) {
	w.raw(`<wsmid:Identify xmlns:wsmid="` + NSIdentity + `"/>`)
}

// IdentifyResponse answers Identify.
type IdentifyResponse struct {
	ProtocolVersion, ProductVendor, ProductVersion string
}

func (r *IdentifyResponse) writeBody(w *xmlWriter, _ *Header) {
	w.raw(`<wsmid:IdentifyResponse xmlns:wsmid="` + NSIdentity + `">`)
	w.element("wsmid:ProtocolVersion", r.ProtocolVersion)
	w.element("wsmid:ProductVendor", r.ProductVendor)
	w.element("wsmid:ProductVersion", r.ProductVersion)
	w.raw(`</wsmid:IdentifyResponse>`)
}

// IsIdentify reports whether the body is an Identify request.
func (e *Envelope) IsIdentify() bool { return e.Body.Is(NSIdentity, "Identify") }
