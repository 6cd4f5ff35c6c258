package provider

// The provider's password never reaches a log or an error message: a whole apply (create,
// update, destroy) runs with every log at TRACE, captured to files, and the files, and the error
// a wrong password produces, must not hold the password in any form it could be written in.
//
// Where the logs go: the provider under test runs in this test process, and its tflog output goes
// to the sink terraform-plugin-log sets up for tests (tfsdklog.ContextWithTestLogging), which
// writes to TF_LOG_PATH_MASK (per test), else TF_ACC_LOG_PATH, else TF_LOG_PATH, at the level of
// TF_LOG (TRACE when TF_ACC_LOG_PATH is set). terraform-plugin-testing runs the terraform CLI
// with its TF_LOG_PATH set from TF_LOG_PATH_MASK or TF_ACC_LOG_PATH only (it drops the
// environment's TF_LOG_PATH), at the level of TF_ACC_LOG (TRACE by default). So TF_ACC_LOG_PATH
// is the variable that captures both Terraform's own log and the provider's, into one file; the
// tests set TF_LOG_PATH too, and read every file they find.
//
// One thing in those logs is neither Terraform's nor the provider's: terraform-plugin-testing
// echoes each step's configuration, the HCL this test wrote with the password in it, in its
// "Setting Terraform configuration" line (field test_terraform_configuration). That field is cut
// out before the search, and only that field.

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

const (
	// secretPass is distinctive and holds every character XML escapes, so that an escaped copy
	// in a logged SOAP body would be found too.
	secretPass = `Pw<&>"'9x!`
	// wrongPass is what the failing configurations send; it must not leak either.
	wrongPass = `Wr0ng<&>"'pw!`
)

// startSecretEmulator runs an emulator whose password is secretPass, and which takes Basic.
func startSecretEmulator(t *testing.T) *acctest.Emulator {
	t.Helper()
	return acctest.StartEmulatorAsConfigured(t, emulator.Config{Username: acctest.User, Password: secretPass})
}

// secretProviderBlock configures the provider with a password and an auth method.
func secretProviderBlock(emu *acctest.Emulator, auth, password string) string {
	return acctest.ProviderBlockAs(emu.URL, acctest.User, password, fmt.Sprintf("auth = %q", auth), `timeout = "20s"`)
}

// secretForms are the ways a password can be written down: as is, escaped for XML text and
// attributes (by this project's writer and by encoding/xml), for JSON, Go and HCL strings, for a
// URL, and base64 in an HTTP Basic header or alone.
func secretForms(user, pass string) map[string]string {
	forms := map[string]string{"raw": pass}
	forms["xml text"] = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(pass)
	forms["xml attribute"] = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(pass)
	forms["xml numeric"] = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(pass)
	var std strings.Builder
	_ = xml.EscapeText(&std, []byte(pass))
	forms["encoding/xml"] = std.String()
	j, _ := json.Marshal(pass)
	forms["json"] = strings.Trim(string(j), `"`)
	forms["go/hcl quoted"] = strings.Trim(fmt.Sprintf("%q", pass), `"`)
	forms["url query"] = url.QueryEscape(pass)
	forms["url path"] = url.PathEscape(pass)
	forms["basic header"] = base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	forms["base64"] = base64.StdEncoding.EncodeToString([]byte(pass))
	forms["base64 url"] = base64.URLEncoding.EncodeToString([]byte(pass))
	// A base64 form may be cut anywhere at its end, where padding and the following bytes change.
	for name, f := range forms {
		if strings.HasPrefix(name, "base64") || name == "basic header" {
			forms[name+" (stem)"] = strings.TrimRight(f, "=")[:len(strings.TrimRight(f, "="))-2]
		}
	}
	return forms
}

// findSecrets returns where any form of a password occurs in text.
func findSecrets(text string, passwords ...string) []string {
	var found []string
	for _, pass := range passwords {
		for name, form := range secretForms(acctest.User, pass) {
			if form != "" && strings.Contains(text, form) {
				found = append(found, fmt.Sprintf("%s (%s form %q)", pass, name, form))
			}
		}
	}
	return found
}

// testConfigurationField is terraform-plugin-testing's echo of a step's configuration: the field
// name on its own line, then the HCL, one "  | " line each.
var testConfigurationField = regexp.MustCompile(`(?m)^  test_terraform_configuration=\n(?:  \|.*\n)*`)

// withoutTestConfiguration cuts the test harness's echo of the configuration out of a log, and
// says how many it cut.
func withoutTestConfiguration(text string) (string, int) {
	n := len(testConfigurationField.FindAllStringIndex(text, -1))
	return testConfigurationField.ReplaceAllString(text, "  test_terraform_configuration=(cut by the test)\n"), n
}

// captureLogs sends Terraform's and the provider's logs, at TRACE, to files in a new directory,
// and returns a function that reads them all.
func captureLogs(t *testing.T) func() map[string]string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TF_LOG_PATH", filepath.Join(dir, "tf_log_path.log"))
	t.Setenv("TF_ACC_LOG_PATH", filepath.Join(dir, "terraform_and_provider.log"))
	t.Setenv("TF_LOG_PATH_MASK", "") // would take precedence over both
	t.Setenv("TF_LOG_CORE", "")      // TF_ACC_LOG sets the CLI's level
	for _, logger := range []string{"TF_LOG", "TF_ACC_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK",
		"TF_LOG_SDK_HELPER_RESOURCE", "TF_LOG_PROVIDER_IPAM", "TF_LOG_PROVIDER_IPAM_WSMAN"} {
		t.Setenv(logger, "TRACE")
	}
	// This one writes every protocol message, provider configuration included, to files: a
	// debugging aid that dumps secrets by design. It is off here, as it is by default.
	t.Setenv("TF_LOG_SDK_PROTO_DATA_DIR", "")
	return func() map[string]string {
		t.Helper()
		logs := map[string]string{}
		cut := 0
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			text, n := withoutTestConfiguration(string(data))
			logs[filepath.Base(path)] = text
			cut += n
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if cut == 0 {
			t.Error("found no echo of the test configuration to cut: terraform-plugin-testing's log format changed, check what the search now covers")
		}
		return logs
	}
}

// checkLogs fails unless the logs are real (Terraform's own lines and the provider's WS-Management
// lines at DEBUG and TRACE, for every action named) and hold no form of any password.
func checkLogs(t *testing.T, logs map[string]string, actions []string, passwords ...string) {
	t.Helper()
	var all strings.Builder
	for name, text := range logs {
		t.Logf("log file %s: %d bytes", name, len(text))
		all.WriteString(text)
		if found := findSecrets(text, passwords...); len(found) > 0 {
			t.Errorf("log file %s holds a password: %s", name, strings.Join(found, "; "))
		}
	}
	text := all.String()
	for what, re := range map[string]*regexp.Regexp{
		"Terraform's version line":           regexp.MustCompile(`\[INFO\]\s+Terraform version: \d`),
		"Terraform core TRACE lines":         regexp.MustCompile(`\[TRACE\]\s+(backend/local|statemgr\.Filesystem):`),
		"the provider's WS-Management lines": regexp.MustCompile(`\[DEBUG\]\s+ipam\.wsman: WS-Management request: .*status=200`),
		"the provider's request bodies":      regexp.MustCompile(`\[TRACE\]\s+ipam\.wsman: WS-Management request body: .*body="<s:Envelope`),
		"the provider's IPAM call lines":     regexp.MustCompile(`\[DEBUG\]\s+ipam\.ipam: IPAM call: .*method=BulkAddOrUpdateAddressSpace`),
		"the provider's response bodies":     regexp.MustCompile(`\[TRACE\]\s+ipam\.wsman: WS-Management response body: .*body="<s:Envelope`),
		"the provider's configuration line":  regexp.MustCompile(`\[DEBUG\]\s+ipam: IPAM provider configured: .*tf_rpc=ConfigureProvider`),
		"the protocol's TRACE lines":         regexp.MustCompile(`\[TRACE\]\s+sdk\.proto: Received request: .*tf_rpc=ApplyResourceChange`),
	} {
		if !re.MatchString(text) {
			t.Errorf("the logs lack %s (%s): they are not the logs this test means to check", what, re)
		}
	}
	for _, action := range actions {
		if !regexp.MustCompile(`ipam\.wsman: WS-Management request: .*action=` + action + `\b`).MatchString(text) {
			t.Errorf("the logs have no WS-Management request line for %s", action)
		}
	}
}

// secretConfig is a provider space, a customer space and a bulk resource of two, whose
// descriptions (and the customer space's tenant) name the version.
func secretConfig(t *testing.T, emu *acctest.Emulator, version string) string {
	return secretProviderBlock(emu, "basic", secretPass) + acctest.HCL(t, "shared/spaces_and_bulk.tf",
		map[string]string{"Prefix": "Sec", "Version": version})
}

// A whole apply with every log at TRACE: create, update and destroy of a provider space, a
// customer space and a bulk resource of two; the logs must not hold the password.
func TestAccSecurityNoPasswordInLogs(t *testing.T) {
	readLogs := captureLogs(t)
	emu := startSecretEmulator(t)
	oob := acctest.NewOutOfBandAs(t, emu.URL, acctest.Login{Username: acctest.User, Password: secretPass, Auth: "basic"})
	const pa, ca, bulk = "ipam_provider_address_space.pa", "ipam_customer_address_space.ca", "ipam_address_spaces.bulk"
	spaces := atPath("address_spaces")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: secretConfig(t, emu, "v1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ca, atPath("description"), knownvalue.StringExact("customer v1")),
					statecheck.ExpectKnownValue(bulk, spaces, knownvalue.MapSizeExact(2)),
				},
			},
			{
				Config: secretConfig(t, emu, "v2"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pa, atPath("description"), knownvalue.StringExact("provider v2")),
					statecheck.ExpectKnownValue(ca, atPath("tenant"), knownvalue.StringExact("t-v2")),
					statecheck.ExpectKnownValue(bulk, spaces.AtMapKey("Sec-Bulk-CA").AtMapKey("description"), knownvalue.StringExact("bulk customer v2")),
					oob.Expect("Sec-Bulk-CA", map[string]string{"description": "bulk customer v2"}),
				},
			},
		},
		CheckDestroy: acctest.OnDestroy(oob.ExpectGone("Sec-PA"), oob.ExpectGone("Sec-CA"), oob.ExpectGone("Sec-Bulk-PA"),
			oob.ExpectGone("Sec-Bulk-CA")),
	})
	if t.Failed() || os.Getenv(resource.EnvTfAcc) == "" {
		return
	}
	checkLogs(t, readLogs(), []string{"AddProviderAddressSpace", "AddCustomerAddressSpace", "BulkAddOrUpdateAddressSpace",
		"BulkDeleteAddressSpace", "Enumerate"}, secretPass)
}

// A wrong password fails with the 401 diagnostic, which shows neither the wrong password nor the
// right one, and neither reaches the logs (TRACE, as above). The step with ExpectError shows the
// user sees the 401 message; ExpectError cannot say what a message lacks (RE2 has no negative
// look-ahead), so the same step is run again with ErrorCheck, which receives the error itself.
func TestAccSecurityNoPasswordInErrors(t *testing.T) {
	for _, auth := range []string{"basic", "ntlm"} {
		t.Run(auth, func(t *testing.T) {
			readLogs := captureLogs(t)
			emu := startSecretEmulator(t)
			config := secretProviderBlock(emu, auth, wrongPass) + `
resource "ipam_provider_address_space" "pa" {
  name = "Sec-Refused"
}
`
			refused := acctest.ErrorText("the credentials were refused")
			var shown []string
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				ErrorCheck: func(err error) error {
					shown = append(shown, err.Error())
					if !refused.MatchString(err.Error()) {
						return err
					}
					return nil
				},
				Steps: []resource.TestStep{
					{Config: config, ExpectError: refused},
					{Config: config}, // fails the same way; ErrorCheck gets the error
				},
			})
			if t.Failed() || os.Getenv(resource.EnvTfAcc) == "" {
				return
			}
			if len(shown) != 1 {
				t.Fatalf("ErrorCheck saw %d errors, want the one of step 2", len(shown))
			}
			t.Logf("the error shown to the user:\n%s", shown[0])
			if found := findSecrets(shown[0], wrongPass, secretPass); len(found) > 0 {
				t.Errorf("the error shown to the user holds a password: %s", strings.Join(found, "; "))
			}
			for _, want := range []string{emu.URL, "401"} {
				if !strings.Contains(shown[0], want) {
					t.Errorf("the error does not name %q", want)
				}
			}
			logs := readLogs()
			for name, text := range logs {
				if found := findSecrets(text, wrongPass, secretPass); len(found) > 0 {
					t.Errorf("log file %s holds a password: %s", name, strings.Join(found, "; "))
				}
			}
			var all strings.Builder
			for _, text := range logs {
				all.WriteString(text)
			}
			if !strings.Contains(all.String(), "WS-Management request") || !strings.Contains(all.String(), "status=401") {
				t.Errorf("the logs do not show the refused WS-Management request: they are not the logs this test means to check")
			}
		})
	}
}
