package provider

import (
	"fmt"
	"net/url"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
)

// The layers below the provider report what went wrong as facts (failure.Facts) and say it in
// Windows' and the protocol's terms; what to do about it, in the terms of the provider block, the
// resources and the terraform command, is written here and only here.

// advisedError is a failure below IPAM with the provider's advice after its own message. It
// unwraps to the failure, so errors.Is and errors.As see through it.
type advisedError struct {
	err    error
	advice string
}

func (e *advisedError) Error() string { return e.err.Error() + ". " + e.advice }
func (e *advisedError) Unwrap() error { return e.err }

// withAdvice returns err with the provider's advice about it, or err itself when there is none.
func withAdvice(err error) error {
	if err == nil {
		return nil
	}
	f, ok := failure.Of(err)
	if !ok {
		return err
	}
	if a := advice(f); a != "" {
		return &advisedError{err: err, advice: a}
	}
	return err
}

// withAdviceEach is withAdvice for the per-item results of a bulk call.
func withAdviceEach(results []error) []error {
	for i, err := range results {
		results[i] = withAdvice(err)
	}
	return results
}

// refusedBeforeActing reports a failure that left IPAM untouched: no ticket, a refused login, or a
// request that never left.
func refusedBeforeActing(err error) bool {
	f, ok := failure.Of(err)
	return ok && f.NotActed
}

// httpsListenerAdvice is for a plain-HTTP endpoint whose port may be an HTTPS listener's.
const httpsListenerAdvice = "If this port is an HTTPS listener (5986 by default), use an https:// endpoint"

// advice says what a user can do about a failure below IPAM; "" when there is nothing to add.
func advice(f failure.Facts) string {
	switch f.Kind {
	case failure.KindDeadline:
		return "Raise the resource's timeouts block if the server needs longer"
	case failure.KindTimeout:
		return "Raise the provider's timeout if the server is slow, or check that nothing between here and the server drops the connection"
	case failure.KindHostUnknown:
		return "Check the host name in the endpoint"
	case failure.KindUntrustedCertificate:
		return "The server's certificate is not signed by a trusted authority: set ca_cert to the PEM of the CA that signed it (or, for testing only, insecure = true)"
	case failure.KindCertificateName:
		return "The server's certificate does not name this host: use the name in the certificate in the endpoint, or set tls_server_name"
	case failure.KindCertificateInvalid:
		return "The server's certificate could not be verified: check ca_cert, the server's clock and the certificate's validity"
	case failure.KindNotTLS:
		return "The server does not speak TLS on this port: use http:// for port 5985 or the HTTPS listener's port (5986)"
	case failure.KindConnectionRefused:
		return "Is WinRM listening there? (Enable-PSRemoting or winrm quickconfig; 5985 is HTTP, 5986 HTTPS)"
	case failure.KindConnectionDropped:
		if f.PlainHTTP {
			// An HTTPS listener resets a connection that does not start with a TLS handshake.
			return "The connection was dropped. " + httpsListenerAdvice
		}
		return "The connection was dropped"
	case failure.KindCredentialsRefused:
		return loginAdvice(f)
	case failure.KindTooLarge:
		return "Lower max_envelope_size, or raise MaxEnvelopeSizekb on the server"
	case failure.KindBadRequest:
		switch {
		case f.Auth == "kerberos":
			return `Raise those limits on the server, or use auth = "ntlm"`
		case f.PlainHTTP:
			return httpsListenerAdvice
		}
	case failure.KindUnencryptedRefused:
		return "Use HTTPS (port 5986, endpoint https://HOST:5986/wsman), or, only on a trusted network, set AllowUnencrypted=true on the server"
	case failure.KindBusy:
		return "Try again later, or lower max_concurrent_requests"
	case failure.KindWrongPath:
		return "Check the endpoint path, which is /wsman on Windows"
	case failure.KindNotWinRM:
		return "Check that the endpoint is a WinRM listener"
	case failure.KindKerberosPassword:
		return "Check the password; each failed login counts towards the account's lockout"
	case failure.KindKerberosUser:
		return "Check the username and the realm (user@REALM; the realm is the domain's DNS name in upper case)"
	case failure.KindKerberosService:
		return "Use the endpoint's fully qualified name as registered in the directory, or set kerberos.spn (WinRM registers HTTP/host and WSMAN/host)"
	case failure.KindKerberosClock:
		return "Synchronise this machine's clock with the domain"
	case failure.KindKerberosNoKDC:
		return fmt.Sprintf("Check the kdc entries for %s in %s and that port 88 is reachable", f.Realm, f.Krb5Conf)
	case failure.KindUnencryptedCredentials:
		return fmt.Sprintf(`Use auth = "ntlm" (the default), which seals every message over http://, or the HTTPS listener `+
			"(https://%s:5986/wsman); or set allow_unencrypted = true if the network is trusted and the server allows "+
			"unencrypted Basic", endpointHost(f.Endpoint))
	case failure.KindConfig:
		return configAdvice[f.Setting]
	case failure.KindEnvelopeRefused:
		return fmt.Sprintf(`Raise MaxEnvelopeSizekb on the server (winrm set winrm/config @{MaxEnvelopeSizekb="500"}), and `+
			"keep the provider setting max_envelope_size (now %d bytes) at or below MaxEnvelopeSizekb x 1024, so that "+
			"bulk calls are split to fit", f.MaxEnvelopeSize)
	case failure.KindItemTooLarge:
		return fmt.Sprintf("Raise max_envelope_size (now %d bytes), and the server's MaxEnvelopeSizekb with it", f.MaxEnvelopeSize)
	case failure.KindTypeNumbering:
		return "Please report the output of Get-CimInstance -Namespace root/Microsoft/IPAM MSFT_IPAM_AddressSpace | " +
			"Select Name,Type,AssociatedProviderAddressSpace"
	}
	return ""
}

// loginAdvice is for credentials the server refused, by the scheme used and the schemes offered.
func loginAdvice(f failure.Facts) string {
	switch f.Auth {
	case "basic":
		switch {
		case !f.OffersScheme("Basic"):
			return `Basic authentication is disabled on Windows by default; use auth = "ntlm", or enable Basic on the server ` +
				`(winrm set winrm/config/service/auth @{Basic="true"}), which also works only for local accounts`
		case f.PlainHTTP:
			return `Basic works only with a local account, and over http:// only if the server allows unencrypted traffic ` +
				`(AllowUnencrypted=true); use auth = "ntlm", which seals every message`
		}
		return `Basic works only with a local account on the IPAM server; for a domain account use auth = "ntlm"`
	case "ntlm":
		return `Check the user name (DOMAIN\user or user@domain) and password, and that the account is in the server's local ` +
			"Administrators or WinRMRemoteWMIUsers__ group and in an IPAM group (IPAM Administrators or IPAM ASM Administrators)"
	case "kerberos":
		return "Check the realm, that the endpoint uses the server's fully qualified name (not an IP address), and the " +
			"service principal (HTTP/host, or WSMAN/host)"
	case "certificate":
		return "Check that a certificate mapping exists for the client certificate (winrm create winrm/config/service/certmapping/...)"
	}
	return "Check the user name and password"
}

// configAdvice names, for each setting a configuration error can be about, the provider settings
// that fix it.
var configAdvice = map[failure.Setting]string{
	failure.SettingCredentials:       "Set username and password (or IPAM_USERNAME and IPAM_PASSWORD)",
	failure.SettingCACert:            "Set ca_cert (or IPAM_CA_CERT) to the PEM of the certificate authorities to trust",
	failure.SettingClientCertificate: "Set client_cert and client_key to the PEM of the client certificate and of its private key",
	failure.SettingMaxEnvelopeSize:   "Raise max_envelope_size (or IPAM_MAX_ENVELOPE_SIZE)",
	failure.SettingKerberosRealm: "Write the username as user@REALM (e.g. alice@CORP.EXAMPLE.COM), set kerberos.realm, or set " +
		"default_realm in krb5.conf",
	failure.SettingKerberosSPN: "Use the server's fully qualified name in the endpoint, or set the service principal in kerberos.spn",
	failure.SettingKrb5Conf:    "Check kerberos.krb5_conf (default: KRB5_CONFIG, then /etc/krb5.conf)",
}

// endpointHost is the host of an endpoint URL, for advice that names another URL on it.
func endpointHost(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "HOST"
}
