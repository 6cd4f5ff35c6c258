package wsman

import (
	"crypto"
	"crypto/md5" //nolint:gosec // the GSS-API channel binding hash is defined on MD5 (RFC 4121 4.1.1.2)
	"crypto/x509"
	"encoding/binary"

	_ "crypto/sha256" // hash functions a certificate's signature may name
	_ "crypto/sha512"
)

// ChannelBindingHash returns the 16-byte hash that NTLM (MsvAvChannelBindings, [MS-NLMP] 2.2.2.1)
// and Kerberos (the authenticator checksum's Bnd, RFC 4121 4.1.1.2) carry to bind a login to the
// TLS connection it travels on: MD5 of a gss_channel_bindings_struct with no addresses and the
// "tls-server-end-point" binding of the server's certificate (RFC 5929 4.1). Windows checks it when
// the WinRM service's CbtHardeningLevel asks for it.
func ChannelBindingHash(cert *x509.Certificate) []byte {
	if cert == nil {
		return nil
	}
	app := append([]byte("tls-server-end-point:"), certificateHash(cert)...)
	// initiator_addrtype, initiator_address, acceptor_addrtype, acceptor_address: all empty.
	b := make([]byte, 16, 20+len(app))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(app)))
	b = append(b, app...)
	sum := md5.Sum(b) //nolint:gosec // see the import
	return sum[:]
}

// certificateHash hashes the certificate with the hash of its signature algorithm, SHA-256 when that
// is MD5 or SHA-1 or has no hash of its own (RFC 5929 4.1).
func certificateHash(cert *x509.Certificate) []byte {
	h := crypto.SHA256
	switch cert.SignatureAlgorithm {
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		h = crypto.SHA512
	}
	d := h.New()
	d.Write(cert.Raw)
	return d.Sum(nil)
}
