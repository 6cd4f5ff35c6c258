package wsman

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
)

// Message encryption over HTTP ([MS-WSMV] 2.2.9.1): after an NTLM or Kerberos login, every SOAP
// message on the connection travels sealed, in a two-part MIME body:
//
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
//	\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=N\r\n
//	--Encrypted Boundary\r\n
//	\tContent-Type: application/octet-stream\r\n
//	<uint32 LE header length><header: NTLM signature or Kerberos wrap token header><sealed message>--Encrypted Boundary--\r\n
//
// There is no blank line after the part headers and no CRLF before the closing delimiter, so the
// body is written by hand, not with mime/multipart. Windows, pywinrm and OMI write it this way.

// Protocols of an encrypted body: the mechanism that sealed it ([MS-WSMV] 2.2.9.1.1, 2.2.9.1.2).
// A Kerberos login carried by "Negotiate" (SPNEGO) uses ProtocolSPNEGO too, as pywinrm does.
const (
	ProtocolSPNEGO   = "application/HTTP-SPNEGO-session-encrypted"
	ProtocolKerberos = "application/HTTP-Kerberos-session-encrypted"
)

const (
	encryptedBoundary = "Encrypted Boundary"
	// EncryptedMediaType is the media type of a sealed body.
	EncryptedMediaType = "multipart/encrypted"
	// maxSealHeader bounds the header a peer may claim; NTLM's is 16 bytes and Kerberos' about 60.
	maxSealHeader = 1024
)

// Sealer seals and unseals the messages of one authenticated connection, in order: both sides keep
// sequence numbers, so a message sealed out of turn fails to unseal.
type Sealer interface {
	// Seal returns the header (signature or token header) and the sealed message.
	Seal(msg []byte) (header, data []byte, err error)
	// Unseal checks and decrypts a message sealed by the peer.
	Unseal(header, data []byte) ([]byte, error)
}

// EncryptedContentType returns the Content-Type header of a sealed body.
func EncryptedContentType(protocol string) string {
	return EncryptedMediaType + `;protocol="` + protocol + `";boundary="` + encryptedBoundary + `"`
}

// EncodeEncrypted seals a SOAP message of the given content type into a multipart/encrypted body.
func EncodeEncrypted(s Sealer, protocol, contentType string, msg []byte) ([]byte, error) {
	header, data, err := s.Seal(msg)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(data) + len(header) + 256)
	b.WriteString("--" + encryptedBoundary + "\r\n\tContent-Type: " + protocol + "\r\n\tOriginalContent: type=")
	b.WriteString(contentType)
	b.WriteString(";Length=" + strconv.Itoa(len(msg)) + "\r\n--" + encryptedBoundary + "\r\n\tContent-Type: application/octet-stream\r\n")
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(header)))
	b.Write(n[:])
	b.Write(header)
	b.Write(data)
	b.WriteString("--" + encryptedBoundary + "--\r\n")
	return b.Bytes(), nil
}

// IsEncrypted reports whether a Content-Type header names a sealed body.
func IsEncrypted(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == EncryptedMediaType
}

// EncryptedProtocol returns the protocol parameter of a sealed body's Content-Type.
func EncryptedProtocol(contentType string) string {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return params["protocol"]
}

// DecodeEncrypted unseals a multipart/encrypted body. It returns the SOAP message and the content
// type it had. The length in OriginalContent must match what was unsealed.
func DecodeEncrypted(s Sealer, contentType string, body []byte) (msg []byte, originalType string, err error) {
	mt, params, perr := mime.ParseMediaType(contentType)
	if perr != nil || mt != EncryptedMediaType {
		return nil, "", fmt.Errorf("wsman: content type %q is not %s", contentType, EncryptedMediaType)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, "", errors.New("wsman: the encrypted body names no boundary")
	}
	delim := []byte("--" + boundary)
	rest, ok := bytes.CutPrefix(body, delim)
	if !ok {
		return nil, "", errors.New("wsman: the encrypted body does not start with its boundary")
	}
	meta, rest, ok := bytes.Cut(rest, delim)
	if !ok {
		return nil, "", errors.New("wsman: the encrypted body has no second part")
	}
	originalType, length, err := originalContent(meta, params["protocol"])
	if err != nil {
		return nil, "", err
	}
	// The second part: the rest of the delimiter line, its header line, then the binary payload
	// up to the closing delimiter.
	rest = bytes.TrimPrefix(bytes.TrimPrefix(rest, []byte("\r")), []byte("\n"))
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 || !strings.Contains(strings.ToLower(string(rest[:nl])), "application/octet-stream") {
		return nil, "", errors.New("wsman: the encrypted body's second part is not application/octet-stream")
	}
	payload := rest[nl+1:]
	end := bytes.LastIndex(payload, append(append([]byte{}, delim...), '-', '-'))
	if end < 0 {
		return nil, "", errors.New("wsman: the encrypted body has no closing boundary")
	}
	payload = payload[:end]
	if len(payload) < 4 {
		return nil, "", errors.New("wsman: the encrypted payload is truncated")
	}
	hl := binary.LittleEndian.Uint32(payload)
	if hl > maxSealHeader || int(hl) > len(payload)-4 {
		return nil, "", fmt.Errorf("wsman: the encrypted payload claims a %d-byte header", hl)
	}
	header, data := payload[4:4+hl], payload[4+hl:]
	msg, err = s.Unseal(header, data)
	if err != nil {
		return nil, "", err
	}
	if len(msg) != length {
		return nil, "", fmt.Errorf("wsman: the unsealed message has %d bytes, the body says %d", len(msg), length)
	}
	return msg, originalType, nil
}

// originalContent reads the first part's headers: its Content-Type must be the protocol, and
// OriginalContent gives the sealed message's type and length.
func originalContent(meta []byte, protocol string) (string, int, error) {
	var typ string
	length := -1
	sawProtocol := false
	for _, line := range strings.Split(string(meta), "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-type":
			sawProtocol = protocol == "" || strings.EqualFold(value, protocol)
		case "originalcontent":
			var types []string
			for _, field := range strings.Split(value, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(field), "=")
				switch strings.ToLower(k) {
				case "type":
					types = append(types, v)
				case "length":
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 {
						return "", 0, fmt.Errorf("wsman: OriginalContent length %q is not a number", v)
					}
					length = n
				default:
					types = append(types, field)
				}
			}
			typ = strings.Join(types, ";")
		}
	}
	if !sawProtocol {
		return "", 0, fmt.Errorf("wsman: the encrypted body's first part is not %s", protocol)
	}
	if length < 0 {
		return "", 0, errors.New("wsman: the encrypted body gives no OriginalContent length")
	}
	return typ, length, nil
}
