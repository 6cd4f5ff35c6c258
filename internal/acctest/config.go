package acctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
)

// HCL reads a configuration of the test from testdata/<TestName>/<file>, TestName being the
// top-level test's name (its subtests share its files), or, when file names a directory too
// ("shared/spaces.tf"), from testdata/<file>. With data, the file is a text/template rendered with
// data[0]; without, it is returned as it is.
func HCL(t testing.TB, file string, data ...any) string {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(file))
	if !strings.Contains(file, "/") {
		test, _, _ := strings.Cut(t.Name(), "/")
		path = filepath.Join("testdata", test, file)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		return string(text)
	}
	tmpl, err := template.New(file).Option("missingkey=error").Parse(string(text))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data[0]); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b.String()
}
