// Package testkdc starts a throwaway MIT Kerberos KDC (Debian's krb5-kdc) on loopback for tests:
// a realm in a temporary directory, a user who must pre-authenticate (as in Active Directory), and
// a service principal with its keytab. Tests that need it skip when the KDC is not installed, or
// fail when IPAM_CONFORMANCE=require (make test sets it; .ci/test-deps installs it).
package testkdc

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	// Realm is the test realm; Host is the service's name in it.
	Realm = "IPAM.TEST"
	Host  = "ipam.ipam.test"
	// SPN is the service principal whose keys Keytab holds.
	SPN = "HTTP/" + Host
	// OtherSPN is a service the KDC knows whose keys Keytab does not hold.
	OtherSPN = "HTTP/other.ipam.test"
	// User is a principal of Realm with Password.
	User = "alice"
)

// KDC is a running KDC and the files a client and a service need.
type KDC struct {
	// Dir holds the database, the configuration, the keytab and the KDC's log.
	Dir string
	// Krb5Conf is a krb5.conf for clients of the realm.
	Krb5Conf string
	// Keytab holds SPN's keys.
	Keytab string
	// Password is User's password, random per KDC.
	Password string
	// Addr is where the KDC listens, TCP and UDP.
	Addr string
}

// Env is the environment that points MIT's own tools (kinit, curl's GSS-API) at the realm,
// with a credential cache of its own.
func (k *KDC) Env() []string {
	return []string{"KRB5_CONFIG=" + k.Krb5Conf, "KRB5CCNAME=FILE:" + filepath.Join(k.Dir, "ccache"), "KRB5_TRACE=" + filepath.Join(k.Dir, "trace.log")}
}

// Log returns what the KDC logged, for failure messages.
func (k *KDC) Log() string {
	b, _ := os.ReadFile(filepath.Join(k.Dir, "kdc.log"))
	return string(b)
}

var tools = []string{"krb5kdc", "kdb5_util", "kadmin.local"}

// lookPath finds a KDC tool; they live in /usr/sbin, which a user's PATH may lack.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return exec.LookPath(filepath.Join("/usr/sbin", name))
}

// Missing skips the test, or fails it when IPAM_CONFORMANCE=require.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("IPAM_CONFORMANCE") == "require" {
		t.Fatalf("%s (IPAM_CONFORMANCE=require; run .ci/test-deps to install it)", msg)
	}
	t.Skipf("%s; run .ci/test-deps, or set IPAM_CONFORMANCE=require to make this a failure", msg)
}

// Start creates a realm and runs its KDC until the test ends.
func Start(t testing.TB) *KDC {
	t.Helper()
	paths := map[string]string{}
	for _, name := range tools {
		p, err := lookPath(name)
		if err != nil {
			Missing(t, "the MIT Kerberos KDC (%s, Debian packages krb5-kdc and krb5-admin-server) is not installed", name)
		}
		paths[name] = p
	}
	dir := t.TempDir()
	k := &KDC{Dir: dir, Krb5Conf: filepath.Join(dir, "krb5.conf"), Keytab: filepath.Join(dir, "http.keytab"), Password: randomHex(12)}
	k.Addr = freePort(t)
	enctypes := "aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96"
	krb5conf := fmt.Sprintf(`[libdefaults]
	default_realm = %[1]s
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	udp_preference_limit = 1
	default_tkt_enctypes = %[3]s
	default_tgs_enctypes = %[3]s
	permitted_enctypes = %[3]s
[realms]
	%[1]s = {
		kdc = %[2]s
	}
[domain_realm]
	.ipam.test = %[1]s
	ipam.test = %[1]s
`, Realm, k.Addr, enctypes)
	kdcconf := fmt.Sprintf(`[kdcdefaults]
	kdc_listen = %[2]s
	kdc_tcp_listen = %[2]s
[realms]
	%[1]s = {
		database_name = %[3]s/principal
		key_stash_file = %[3]s/stash
		acl_file = %[3]s/kadm5.acl
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
		max_life = 1h
	}
[logging]
	kdc = FILE:%[3]s/kdc.log
	admin_server = FILE:%[3]s/kadmin.log
	default = FILE:%[3]s/krb5.log
`, Realm, k.Addr, dir)
	writeFile(t, k.Krb5Conf, krb5conf)
	writeFile(t, filepath.Join(dir, "kdc.conf"), kdcconf)
	writeFile(t, filepath.Join(dir, "kadm5.acl"), "")
	env := append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5_KDC_PROFILE="+filepath.Join(dir, "kdc.conf"))

	run(t, env, paths["kdb5_util"], "-r", Realm, "-P", randomHex(16), "create", "-s")
	for _, q := range []string{
		// Active Directory requires pre-authentication, so a wrong password is KDC_ERR_PREAUTH_FAILED.
		fmt.Sprintf("addprinc +requires_preauth -pw %s %s", k.Password, User),
		"addprinc -randkey " + SPN,
		"addprinc -randkey " + OtherSPN,
		"ktadd -k " + k.Keytab + " " + SPN,
	} {
		run(t, env, paths["kadmin.local"], "-r", Realm, "-q", q)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, paths["krb5kdc"], "-n", "-r", Realm, "-P", filepath.Join(dir, "kdc.pid"))
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("krb5kdc: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", k.Addr, time.Second)
		if err == nil {
			c.Close()
			return k
		}
		select {
		case <-exited:
			t.Fatalf("krb5kdc exited: %s\n%s", out.String(), k.Log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("krb5kdc does not listen on %s: %v\n%s", k.Addr, err, k.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func run(t testing.TB, env []string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		// The output may name the user's password; it is random and test-only.
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

// freePort picks a loopback port that is free for both TCP and UDP now.
func freePort(t testing.TB) string {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		u, err := net.ListenPacket("udp", addr)
		l.Close()
		if err == nil {
			u.Close()
			return addr
		}
	}
	t.Fatal("no loopback port free for both TCP and UDP")
	return ""
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
