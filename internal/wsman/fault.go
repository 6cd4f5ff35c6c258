package wsman

import (
	"fmt"
	"strconv"
	"strings"
)

// QName is a namespace-qualified name, as SOAP fault codes are.
type QName struct {
	Space, Local string
}

// Fault is a SOAP 1.2 fault as WinRM sends it: code and subcode, reason, and a detail with
// wsman:FaultDetail, the WSManFault (HRESULT Code, nested provider messages) and, for WMI provider
// errors, an MSFT_WmiError (MS-WSMV 2.2.4.43, 3.1.4.1.21, 4.10).
type Fault struct {
	// Code is "Sender" or "Receiver".
	Code    string
	Subcode QName
	Reason  string
	// Detail is the wsman:FaultDetail URI, if any.
	Detail string
	// WSManCode is f:WSManFault/@Code, an HRESULT such as 0x80338000; 0 when absent.
	WSManCode uint32
	Machine   string
	// Message is the innermost f:Message text, usually the provider's own words.
	Message  string
	WmiError *WmiError
}

// WmiError is the MSFT_WmiError (a CIM_Error) a WMI provider attaches to a fault.
type WmiError struct {
	CIMStatusCode uint32
	Message       string
	// MessageID is e.g. "WIN32 183" for IPAM.
	MessageID string
	// ErrorCode is error_Code: the Win32 code or HRESULT behind the failure.
	ErrorCode           uint32
	ErrorType           string
	WindowsErrorMessage string
}

// MSFTWmiErrorURI is the namespace of MSFT_WmiError in WinRM faults. Clients must match by local
// name only; other namespaces are seen too.
const MSFTWmiErrorURI = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"

func (f *Fault) Error() string {
	msg := f.Text()
	if f.WSManCode != 0 {
		return fmt.Sprintf("WS-Management fault 0x%08X: %s", f.WSManCode, msg)
	}
	return "WS-Management fault: " + msg
}

// Text returns the most specific human-readable message the fault carries.
func (f *Fault) Text() string {
	switch {
	case f.WmiError != nil && f.WmiError.Message != "":
		return f.WmiError.Message
	case f.Message != "":
		return f.Message
	case f.Reason != "":
		return f.Reason
	}
	return f.Subcode.Local
}

var knownPrefixes = map[string]string{NSSoap: "s", NSAddressing: "a", NSWSMan: "w", NSEnumeration: "n"}

func (f *Fault) writeBody(w *xmlWriter, _ *Header) {
	code := f.Code
	if code == "" {
		code = "Receiver"
	}
	w.raw(`<s:Fault><s:Code><s:Value>s:`)
	w.text(code)
	w.raw(`</s:Value>`)
	if f.Subcode.Local != "" {
		prefix, ok := knownPrefixes[f.Subcode.Space]
		if ok {
			w.raw(`<s:Subcode><s:Value>`)
		} else {
			prefix = "x"
			w.raw(`<s:Subcode><s:Value xmlns:x="`)
			w.attr(f.Subcode.Space)
			w.raw(`">`)
		}
		w.text(prefix + ":" + f.Subcode.Local)
		w.raw(`</s:Value></s:Subcode>`)
	}
	w.raw(`</s:Code><s:Reason><s:Text xml:lang="en-US">`)
	w.text(f.Reason)
	w.raw(`</s:Text></s:Reason><s:Detail>`)
	if f.Detail != "" {
		w.element("w:FaultDetail", f.Detail)
	}
	if f.WSManCode != 0 || f.Message != "" {
		code := strconv.FormatUint(uint64(f.WSManCode), 10)
		w.raw(`<f:WSManFault xmlns:f="` + NSWSManFault + `" Code="` + code + `" Machine="`)
		w.attr(f.Machine)
		w.raw(`"><f:Message>`)
		if f.WmiError != nil {
			// A provider error nests the provider's own WSManFault (MS-WSMV 4.10).
			w.raw(`<f:ProviderFault provider="WMI Provider"><f:WSManFault Code="` + code + `" Machine="`)
			w.attr(f.Machine)
			w.raw(`"><f:Message>`)
			w.text(f.Message)
			w.raw(`</f:Message></f:WSManFault></f:ProviderFault>`)
		} else {
			w.text(f.Message)
		}
		w.raw(`</f:Message></f:WSManFault>`)
	}
	if e := f.WmiError; e != nil {
		w.raw(`<p:MSFT_WmiError xmlns:p="` + MSFTWmiErrorURI + `" xsi:type="p:MSFT_WmiError_Type">`)
		w.raw(`<p:CIMStatusCode>` + strconv.FormatUint(uint64(e.CIMStatusCode), 10) + `</p:CIMStatusCode>`)
		w.element("p:Message", e.Message)
		w.element("p:MessageID", e.MessageID)
		w.raw(`<p:error_Code>` + strconv.FormatUint(uint64(e.ErrorCode), 10) + `</p:error_Code>`)
		if e.ErrorType != "" {
			w.element("p:error_Type", e.ErrorType)
		}
		if e.WindowsErrorMessage != "" {
			w.element("p:error_WindowsErrorMessage", e.WindowsErrorMessage)
		}
		w.raw(`</p:MSFT_WmiError>`)
	}
	w.raw(`</s:Detail></s:Fault>`)
}

// Fault returns the fault the body carries, if it is one.
func (e *Envelope) Fault() (*Fault, bool) {
	if e.Body == nil || !e.Body.Is(NSSoap, "Fault") {
		return nil, false
	}
	fe := e.Body
	f := &Fault{}
	if code := fe.Child("", "Code"); code != nil {
		if v := code.Child("", "Value"); v != nil {
			_, f.Code = v.ResolveQName(v.Text)
		}
		if sub := code.Child("", "Subcode"); sub != nil {
			if v := sub.Child("", "Value"); v != nil {
				f.Subcode.Space, f.Subcode.Local = v.ResolveQName(v.Text)
			}
		}
	}
	if reason := fe.Child("", "Reason"); reason != nil {
		if t := reason.Child("", "Text"); t != nil {
			f.Reason = strings.TrimSpace(t.Text)
		}
	}
	detail := fe.Child("", "Detail")
	if detail == nil {
		return f, true
	}
	if fd := detail.Child("", "FaultDetail"); fd != nil {
		f.Detail = strings.TrimSpace(fd.Text)
	}
	if wf := detail.Child("", "WSManFault"); wf != nil {
		if c, ok := wf.Attr("", "Code"); ok {
			f.WSManCode, _ = ParseUint32(c)
		}
		f.Machine, _ = wf.Attr("", "Machine")
		f.Message = innermostMessage(wf)
	}
	if we := findDescendant(detail, "MSFT_WmiError", 0); we != nil {
		f.WmiError = decodeWmiError(we)
	}
	return f, true
}

// innermostMessage follows WSManFault/Message/ProviderFault/WSManFault/... and returns the deepest
// non-empty message text.
func innermostMessage(wf *Element) string {
	best := ""
	for depth := 0; wf != nil && depth < maxDepth; depth++ {
		msg := wf.Child("", "Message")
		if msg == nil {
			break
		}
		if t := strings.TrimSpace(msg.Text); t != "" {
			best = t
		}
		var next *Element
		if pf := msg.Child("", "ProviderFault"); pf != nil {
			if t := strings.TrimSpace(pf.Text); t != "" {
				best = t
			}
			next = pf.Child("", "WSManFault")
			if next == nil {
				if ext := pf.Child("", "ExtendedError"); ext != nil {
					if d := findDescendant(ext, "Description", 0); d != nil && strings.TrimSpace(d.Text) != "" {
						best = strings.TrimSpace(d.Text)
					}
				}
			}
		}
		wf = next
	}
	return best
}

func findDescendant(el *Element, local string, depth int) *Element {
	if depth > maxDepth {
		return nil
	}
	for _, c := range el.Children {
		if c.Local == local {
			return c
		}
		if d := findDescendant(c, local, depth+1); d != nil {
			return d
		}
	}
	return nil
}

func decodeWmiError(el *Element) *WmiError {
	e := &WmiError{}
	texts := map[string]*string{"Message": &e.Message, "MessageID": &e.MessageID, "error_Type": &e.ErrorType,
		"error_WindowsErrorMessage": &e.WindowsErrorMessage}
	numbers := map[string]*uint32{"CIMStatusCode": &e.CIMStatusCode, "error_Code": &e.ErrorCode}
	for _, c := range el.Children {
		t := strings.TrimSpace(c.Text)
		if dst, ok := texts[c.Local]; ok {
			*dst = t
		} else if dst, ok := numbers[c.Local]; ok {
			*dst, _ = ParseUint32(t)
		}
	}
	return e
}
