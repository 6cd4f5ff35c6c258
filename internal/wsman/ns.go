package wsman

// XML namespaces of the protocol (MS-WSMV 2.2.1).
const (
	NSSoap        = "http://www.w3.org/2003/05/soap-envelope"
	NSAddressing  = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	NSWSMan       = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	NSEnumeration = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
	NSTransfer    = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	NSWSManFault  = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
	NSIdentity    = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
	NSXSI         = "http://www.w3.org/2001/XMLSchema-instance"
	NSCIM         = "http://schemas.dmtf.org/wbem/wscim/1/common"
	NSXML         = "http://www.w3.org/XML/1998/namespace"
)

// Addressing and dialect URIs.
const (
	AddressAnonymous = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
	DialectWQL       = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
	// WMIBase prefixes a WMI namespace path to form a resource URI: WMIBase + "root/microsoft/ipam/" + class.
	WMIBase = "http://schemas.microsoft.com/wbem/wsman/1/wmi/"
	// FaultDetailBase prefixes the wsman:FaultDetail values (MS-WSMV 2.2.4.43).
	FaultDetailBase = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/"
)

// Action URIs.
const (
	ActionEnumerate         = NSEnumeration + "/Enumerate"
	ActionEnumerateResponse = NSEnumeration + "/EnumerateResponse"
	ActionPull              = NSEnumeration + "/Pull"
	ActionPullResponse      = NSEnumeration + "/PullResponse"
	ActionRelease           = NSEnumeration + "/Release"
	ActionReleaseResponse   = NSEnumeration + "/ReleaseResponse"
	ActionGet               = NSTransfer + "/Get"
	ActionGetResponse       = NSTransfer + "/GetResponse"
	ActionFault             = NSAddressing + "/fault"
	ActionWSManFault        = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
)

// ContentType is what WinRM sends and accepts for plain (unencrypted) SOAP.
const ContentType = "application/soap+xml;charset=UTF-8"

// MethodAction returns the action URI that invokes a CIM method: resourceURI/Method (MS-WSMV 3.1.4.1.32).
func MethodAction(resourceURI, method string) string { return resourceURI + "/" + method }

// MethodResponseAction returns the action URI of a method's response (MS-WSMV 4.1.4).
func MethodResponseAction(resourceURI, method string) string {
	return resourceURI + "/" + method + "Response"
}
