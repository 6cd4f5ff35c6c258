package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// Main runs "terraform-provider-ipam emulator [flags]" and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: terraform-provider-ipam emulator [flags]

Serves a Windows Server IPAM stand-in over WS-Management at http(s)://ADDR/wsman. When it is
ready it prints two lines on standard output, one for people and one for programs (a JSON object
on a line of its own, always with these keys in this order):

  IPAM emulator listening on URL (database PATH)
  {"ipam_emulator":"ready","url":"URL","database":"PATH"}

It logs one line per request on standard error, and stops cleanly on SIGINT or SIGTERM.

Flags:
`)
		fs.PrintDefaults()
	}
	var (
		cfg      Config
		listen   string
		tlsCert  string
		tlsKey   string
		clientCA string
		custom   stringList
		failures string
	)
	fs.StringVar(&listen, "listen", "127.0.0.1:5985", "address to listen on (loopback by default)")
	fs.StringVar(&cfg.DBPath, "db", "ipam.db", `SQLite database file, or ":memory:"`)
	fs.StringVar(&cfg.Username, "username", os.Getenv("IPAM_EMULATOR_USERNAME"), "user name clients must log in with (env IPAM_EMULATOR_USERNAME)")
	fs.StringVar(&cfg.Password, "password", os.Getenv("IPAM_EMULATOR_PASSWORD"), "password clients must log in with (env IPAM_EMULATOR_PASSWORD)")
	fs.StringVar(&tlsCert, "tls-cert", "", "PEM certificate: serve HTTPS")
	fs.StringVar(&tlsKey, "tls-key", "", "PEM private key of -tls-cert")
	fs.StringVar(&clientCA, "tls-client-ca", "", "PEM CA whose client certificates may log in (certificate auth; the certificate's CN or e-mail names the user)")
	fs.BoolVar(&cfg.DisableBasic, "disable-basic", false, "refuse HTTP Basic, as Windows does by default (NTLM and certificates still work)")
	fs.BoolVar(&cfg.RequireEncryption, "require-encryption", false, "refuse unsealed messages over plain HTTP, as Windows does by default (AllowUnencrypted=false): NTLM and Kerberos clients must seal every message")
	windowsDefaults := fs.Bool("windows-defaults", false, "serve as a Windows Server does at its defaults: -disable-basic and -require-encryption")
	fs.StringVar(&cfg.CBTHardening, "cbt-hardening", "relaxed", `how strictly logins over HTTPS must carry channel bindings (WinRM's CbtHardeningLevel): "none", "relaxed" or "strict"`)
	fs.StringVar(&cfg.KerberosKeytab, "keytab", "", "also take Kerberos logins (tickets from a real KDC) for the service principals in this keytab, e.g. HTTP/ipam.corp.example")
	fs.IntVar(&cfg.MaxConcurrentOperations, "max-concurrent-operations", 0, "answer WinRM's quota fault past this many requests in flight (0: no limit)")
	fs.DurationVar(&cfg.Latency, "latency", 0, "delay added to every request, e.g. 20ms")
	fs.Var(&custom, "custom-field", "custom field that CustomConfiguration may name (repeatable)")
	fs.IntVar(&cfg.MaxRequestSize, "max-envelope-size", DefaultMaxRequestSize, "largest request body accepted, in bytes")
	fs.StringVar(&failures, "fail-items", "", "fault injection: fail bulk items whose name matches this WQL LIKE pattern, e.g. 'bad%'")
	fs.BoolVar(&cfg.ErrorsAsReturnValue, "errors-as-return-value", false, "report Add failures as a non-zero ReturnValue instead of a SOAP fault")
	fs.BoolVar(&cfg.FailedItemsOnly, "failed-items-only", false, "list only failed items in the Output of bulk calls")
	quotaEvery := fs.Int("quota-every", 0, "fault injection: answer every N-th request with WinRM's quota fault, in the shape Windows sends it (0: never)")
	fs.Func("type-numbering", `how Type is numbered: "wmi" (Provider 0, Customer 1; the default) or "ipamm2" (Provider 1, Customer 2); which one Windows uses is undocumented`, func(v string) (err error) {
		cfg.TypeNumbering, err = ipam.ParseTypeNumbering(v)
		return err
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *windowsDefaults {
		cfg.DisableBasic, cfg.RequireEncryption = true, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "emulator: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if (tlsCert == "") != (tlsKey == "") {
		fmt.Fprintln(stderr, "emulator: -tls-cert and -tls-key go together")
		return 2
	}
	cfg.CustomFields = custom
	cfg.FailItems = failures
	cfg.Logger = log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)

	var tlsConfig *tls.Config
	if tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
		if err != nil {
			fmt.Fprintf(stderr, "emulator: load TLS key pair: %v\n", err)
			return 1
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if clientCA != "" {
			pem, err := os.ReadFile(clientCA)
			if err != nil {
				fmt.Fprintf(stderr, "emulator: %v\n", err)
				return 1
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				fmt.Fprintf(stderr, "emulator: %s holds no PEM certificate\n", clientCA)
				return 1
			}
			tlsConfig.ClientCAs = pool
			tlsConfig.ClientAuth = tls.VerifyClientCertIfGiven
		}
	} else if clientCA != "" {
		fmt.Fprintln(stderr, "emulator: -tls-client-ca needs -tls-cert and -tls-key")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	run, err := Start(ctx, cfg, listen, tlsConfig)
	if err != nil {
		fmt.Fprintf(stderr, "emulator: %v\n", err)
		return 1
	}
	if *quotaEvery > 0 {
		if err := run.InjectFault(FaultRule{Kind: FaultQuota, Every: *quotaEvery}); err != nil {
			fmt.Fprintf(stderr, "emulator: -quota-every: %v\n", err)
			run.Close()
			return 2
		}
	}
	fmt.Fprintf(stdout, "IPAM emulator listening on %s (database %s)\n", run.URL, cfg.DBPath)
	// The same for programs (see -h): one JSON object on a line of its own; its fields keep this
	// order so that a shell script can pick the URL out with sed.
	ready := json.NewEncoder(stdout)
	ready.SetEscapeHTML(false)
	_ = ready.Encode(struct {
		Event    string `json:"ipam_emulator"`
		URL      string `json:"url"`
		Database string `json:"database"`
	}{"ready", run.URL, cfg.DBPath})
	select {
	case err := <-run.Done():
		fmt.Fprintf(stderr, "emulator: %v\n", err)
		run.Server.Close()
		return 1
	case <-ctx.Done():
	}
	if err := run.Close(); err != nil {
		fmt.Fprintf(stderr, "emulator: shutdown: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "IPAM emulator stopped")
	return 0
}
