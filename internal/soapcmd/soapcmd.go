// Package soapcmd is the "terraform-provider-ipam soap" command: it posts one SOAP envelope to a
// WinRM endpoint with the provider's own WS-Management client (NTLM by default, every message
// sealed over http://, the same TLS settings) and prints the answer. Scripts use it to act on IPAM
// behind Terraform's back, and users to check that the provider can reach and log in to a server.
package soapcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

const usage = `usage: terraform-provider-ipam soap [flags] FILE

Posts the SOAP envelope in FILE ("-" for standard input) to a WinRM endpoint, as the provider would
(auth, message sealing over http://, TLS), and prints the answer's body. The settings come from the
same environment variables as the provider block's (IPAM_ENDPOINT, IPAM_USERNAME, IPAM_PASSWORD,
IPAM_AUTH, IPAM_INSECURE, IPAM_CA_CERT, IPAM_TLS_SERVER_NAME, IPAM_KERBEROS_REALM); the flags
override them. The password is taken only from IPAM_PASSWORD, never from the command line.
Exit status: 0 for HTTP 200, 1 for any other answer or failure, 2 for bad usage.

`

// Main runs the command and returns its exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("soap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	env := os.Getenv
	cfg := wsman.Config{Password: env("IPAM_PASSWORD")}
	var caCert, krb5Conf, spn string
	var timeout time.Duration
	fs.StringVar(&cfg.Endpoint, "endpoint", env("IPAM_ENDPOINT"), "WS-Management URL, e.g. http://ipam01.corp.example:5985/wsman")
	fs.StringVar(&cfg.Username, "username", env("IPAM_USERNAME"), `DOMAIN\user, user@domain or a local account`)
	fs.StringVar(&cfg.Auth, "auth", env("IPAM_AUTH"), "ntlm (default), kerberos, basic or certificate")
	insecure, _ := strconv.ParseBool(env("IPAM_INSECURE"))
	fs.BoolVar(&cfg.Insecure, "insecure", insecure, "skip verification of the server's TLS certificate")
	fs.StringVar(&caCert, "ca-cert", "", "PEM file of the authorities to trust (default: IPAM_CA_CERT, the PEM itself)")
	fs.StringVar(&cfg.TLSServerName, "tls-server-name", env("IPAM_TLS_SERVER_NAME"), "name to verify the server's certificate against")
	fs.StringVar(&cfg.Kerberos.Realm, "realm", env("IPAM_KERBEROS_REALM"), "Kerberos realm")
	fs.StringVar(&krb5Conf, "krb5-conf", "", "krb5.conf for Kerberos (default KRB5_CONFIG, then /etc/krb5.conf)")
	fs.StringVar(&spn, "spn", "", "Kerberos service principal (default HTTP/<endpoint host>)")
	fs.DurationVar(&timeout, "timeout", wsman.DefaultTimeout, "how long the server may take")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	cfg.Kerberos.Krb5Conf, cfg.Kerberos.SPN, cfg.Timeout = krb5Conf, spn, timeout
	cfg.CACert = []byte(env("IPAM_CA_CERT"))
	if caCert != "" {
		pem, err := os.ReadFile(caCert)
		if err != nil {
			fmt.Fprintf(stderr, "soap: %v\n", err)
			return 2
		}
		cfg.CACert = pem
	}
	var body []byte
	var err error
	if name := fs.Arg(0); name == "-" {
		body, err = io.ReadAll(io.LimitReader(stdin, 64<<20))
	} else {
		body, err = os.ReadFile(name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "soap: %v\n", err)
		return 2
	}
	client, err := wsman.NewClient(cfg)
	if err != nil {
		report(stderr, err)
		return 2
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*timeout+10*time.Second)
	defer cancel()
	status, answer, err := client.DoRaw(ctx, body)
	if err != nil {
		report(stderr, err)
		return 1
	}
	_, _ = stdout.Write(answer)
	if len(answer) > 0 && answer[len(answer)-1] != '\n' {
		fmt.Fprintln(stdout)
	}
	if status != 200 {
		fmt.Fprintf(stderr, "soap: %s answered HTTP %d\n", client.Endpoint(), status)
		return 1
	}
	return 0
}

// report prints a failure and, for the usual ones, what to do about it in this command's flags.
// The client's errors say what happened; the advice is each front end's own (the provider's names
// its settings instead).
func report(stderr io.Writer, err error) {
	fmt.Fprintf(stderr, "soap: %v\n", err)
	if h := hint(err); h != "" {
		fmt.Fprintf(stderr, "soap: %s\n", h)
	}
}

func hint(err error) string {
	f, _ := failure.Of(err)
	if f.Kind == failure.KindCredentialsRefused && f.Auth == wsman.AuthBasic && !f.OffersScheme("Basic") {
		return "Basic authentication is disabled on Windows by default: use -auth ntlm"
	}
	return hints[f.Kind]
}

// hints are what to do about the usual failures, by kind.
var hints = map[failure.Kind]string{
	failure.KindUntrustedCertificate: "the server's certificate is not signed by a trusted authority: pass the CA's PEM with -ca-cert " +
		"(or, for testing only, -insecure)",
	failure.KindCertificateName: "the server's certificate does not name this host: use the name in the certificate in -endpoint, " +
		"or pass -tls-server-name",
	failure.KindNotTLS:                 "the server does not speak TLS on this port: use http:// for port 5985, or the HTTPS listener's port (5986)",
	failure.KindConnectionRefused:      "is WinRM listening there? (5985 is HTTP, 5986 HTTPS)",
	failure.KindTimeout:                "raise -timeout if the server is slow",
	failure.KindUnencryptedCredentials: "use -auth ntlm (the default), which seals every message over http://, or an https:// endpoint",
	failure.KindCredentialsRefused:     "check -username (DOMAIN\\user or user@domain) and IPAM_PASSWORD",
}
