package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		args          []string
		wantErr       string // a part of the error; "" for none
		baselineKinds []caseKind
		svg           string
	}{
		{name: "defaults", args: nil, svg: ".bench/results.svg"},
		{name: "baseline runs bulk and bulk-sealed", args: []string{"-baseline", "HEAD~1"}, baselineKinds: []caseKind{kindBulk, kindBulkSealed}},
		{name: "baseline of the shapes that run", args: []string{"-baseline", "HEAD~1", "-cases", "bulk-floor,bulk"}, baselineKinds: []caseKind{kindBulk}},
		{name: "baseline of every provider shape", args: []string{"-baseline", "v1", "-baseline-cases", "foreach,bulk,bulk-sealed"},
			baselineKinds: []caseKind{kindBulk, kindBulkSealed, kindForEach}},
		{name: "baseline with nothing to run", args: []string{"-baseline", "HEAD~1", "-cases", "bulk-floor,foreach"}, wantErr: "nothing would run with it"},
		{name: "baseline of a floor", args: []string{"-baseline", "HEAD~1", "-baseline-cases", "bulk-floor"}, wantErr: "runs no provider"},
		{name: "baseline of an unknown shape", args: []string{"-baseline", "HEAD~1", "-baseline-cases", "bulky"}, wantErr: `-baseline-cases: unknown shape "bulky"`},
		{name: "baseline-cases alone", args: []string{"-baseline-cases", "bulk"}, wantErr: "needs -baseline"},
		{name: "baseline like a flag", args: []string{"-baseline=-x"}, wantErr: "does not start with '-'"},
		{name: "report is the results", args: []string{"-report", ".bench/results.md"}, wantErr: "is also -out"},
		{name: "report's plot is the results'", args: []string{"-report", ".bench/results.txt"}, wantErr: "also -svg"},
		{name: "report beside no results plot", args: []string{"-report", ".bench/results.txt", "-svg", "-"}, svg: "-"},
		{name: "unknown shape", args: []string{"-cases", "bulk,nope"}, wantErr: `unknown shape "nope"`},
		{name: "no shape", args: []string{"-cases", ","}, wantErr: "names no shape"},
		{name: "bad size", args: []string{"-sizes", "1"}, wantErr: "at least 2"},
		{name: "repeat", args: []string{"-repeat", "0"}, wantErr: "at least once"},
		{name: "argument", args: []string{"bulk"}, wantErr: `unexpected argument "bulk"`},
		{name: "unknown flag", args: []string{"-nope"}, wantErr: "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseArgs(tc.args, io.Discard)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			case tc.wantErr != "":
				return
			}
			if !slices.Equal(o.baselineKinds, tc.baselineKinds) {
				t.Errorf("baseline shapes %v, want %v", o.baselineKinds, tc.baselineKinds)
			}
			if tc.svg != "" && o.svg != tc.svg {
				t.Errorf("svg %q, want %q", o.svg, tc.svg)
			}
			if !slices.Equal(o.args, tc.args) {
				t.Errorf("args %q, want %q", o.args, tc.args)
			}
		})
	}
	var help bytes.Buffer
	if _, err := parseArgs([]string{"-h"}, &help); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
	wantContains(t, "-h", help.String(), "usage: go run ./internal/bench", "-baseline string", "-baseline-cases string", "-report string")
}

func TestParseArgsDefaults(t *testing.T) {
	t.Parallel()
	o, err := parseArgs(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.sizes, []int{100, 1000, 10000}) || !slices.Equal(o.kinds, allKinds) || o.repeat != 1 ||
		o.baseline != "" || o.baselineKinds != nil || o.report != "" || o.out != ".bench/results.md" {
		t.Errorf("defaults %+v", o)
	}
}

// TestCaseNaming: a baseline case says so in its title and has a directory and name prefix of its
// own, so the two builds never share address spaces in the emulator.
func TestCaseNaming(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c         caseResult
		title, id string
	}{
		{caseResult{kind: kindBulk}, "ipam_address_spaces, N keys, plain (Basic)", "bulk"},
		{caseResult{kind: kindBulk, baseline: "be9ff64"}, "ipam_address_spaces, N keys, plain (Basic) — baseline be9ff64", "bulk-baseline"},
		{caseResult{kind: kindBulkSealed, baseline: "be9ff64"}, "ipam_address_spaces, N keys, sealed (NTLM) — baseline be9ff64", "bulk-sealed-baseline"},
		{caseResult{kind: kindForEach, baseline: "be9ff64"}, "ipam_customer_address_space ×N — baseline be9ff64", "foreach-baseline"},
	} {
		if got := tc.c.title(); got != tc.title {
			t.Errorf("title %q, want %q", got, tc.title)
		}
		if got := tc.c.id(); got != tc.id {
			t.Errorf("id %q, want %q", got, tc.id)
		}
	}
	ids := map[string]bool{}
	for _, k := range allKinds {
		for _, b := range []string{"", "x"} {
			id := strings.ReplaceAll(caseResult{kind: k, baseline: b}.id(), "-", "")
			if ids[id] {
				t.Errorf("two cases share the name prefix %q", id)
			}
			ids[id] = true
		}
	}
}

func TestDeclaresModule(t *testing.T) {
	t.Parallel()
	for mod, want := range map[string]bool{
		"module github.com/winipam/terraform-provider-ipam\n\ngo 1.26.0\n": true,
		"// c\nmodule \"github.com/winipam/terraform-provider-ipam\"\r\n":  true,
		"module github.com/winipam/terraform-provider-ipam/v2\n":           false,
		"module example.com/other\n":                                       false,
		"":                                                                 false,
	} {
		if got := declaresModule([]byte(mod)); got != want {
			t.Errorf("declaresModule(%q) = %v", mod, got)
		}
	}
}

func TestUntar(t *testing.T) {
	t.Parallel()
	archive := func(entries ...*tar.Header) io.Reader {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, h := range entries {
			body := ""
			if h.Typeflag == tar.TypeReg {
				body = "content of " + h.Name
				h.Size = int64(len(body))
			}
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write([]byte(body)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		return &buf
	}
	dir := t.TempDir()
	err := untar(archive(
		&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": "be9ff64"}},
		&tar.Header{Typeflag: tar.TypeDir, Name: "internal/", Mode: 0o775},
		&tar.Header{Typeflag: tar.TypeReg, Name: "go.mod", Mode: 0o664},
		&tar.Header{Typeflag: tar.TypeReg, Name: "internal/x/run.sh", Mode: 0o775},
		&tar.Header{Typeflag: tar.TypeSymlink, Name: "link", Linkname: "go.mod"},
	), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "internal/x/run.sh", "link"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		want := "content of " + f
		if f == "link" {
			want = "content of go.mod"
		}
		if string(data) != want {
			t.Errorf("%s holds %q, want %q", f, data, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "internal/x/run.sh")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("run.sh lost its executable bit: %v %v", fi.Mode(), err)
	}
	for _, name := range []string{"../escape", "/abs"} {
		if err := untar(archive(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644}), t.TempDir()); err == nil ||
			!strings.Contains(err.Error(), "not a path inside the tree") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// TestBuildBaseline builds from a small git repository: a revision that is not a commit, one of
// another module and one that does not compile are clear errors before anything runs; one that
// builds gives a binary, and its tree is gone afterwards.
func TestBuildBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git and go build")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	ctx := context.Background()
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@example.com",
			"-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	commit := func(msg string, files map[string]string) {
		t.Helper()
		for name, body := range files {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(repo, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		git("add", "-A")
		git("commit", "-q", "-m", msg)
	}
	git("init", "-q")
	commit("other module", map[string]string{"go.mod": "module example.com/other\n\ngo 1.21\n", "main.go": "package main\n\nfunc main() {}\n"})
	commit("this module, broken", map[string]string{"go.mod": "module " + modulePath + "\n\ngo 1.21\n", "main.go": "package main\n\nfunc main() { undefined() }\n"})
	commit("this module, builds", map[string]string{"main.go": "package main\n\nfunc main() {}\n"})

	if _, err := resolveRevision(ctx, repo, "no-such-branch"); err == nil || !strings.Contains(err.Error(), `"no-such-branch" is not a commit`) {
		t.Errorf("unknown revision: %v", err)
	}
	for _, tc := range []struct {
		ref, wantErr string
	}{
		{"HEAD~2", "not a revision of this provider"},
		{"HEAD~1", "does not build with go"},
		{"HEAD", ""},
	} {
		rev, err := resolveRevision(ctx, repo, tc.ref)
		if err != nil {
			t.Fatal(err)
		}
		if rev.date == "" || rev.subject == "" || !strings.HasPrefix(rev.commit, rev.short) {
			t.Errorf("%s: %+v", tc.ref, rev)
		}
		out := filepath.Join(t.TempDir(), "baseline", "terraform-provider-ipam")
		err = buildBaseline(ctx, "go", repo, rev, out, false)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.ref, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.ref, err, tc.wantErr)
		case tc.wantErr == "":
			if _, err := os.Stat(out); err != nil {
				t.Errorf("%s: no binary: %v", tc.ref, err)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(out), "src")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: the extracted tree is still there (%v)", tc.ref, err)
			}
			info := baselineBuild("HEAD", rev, out)
			if !strings.HasPrefix(info.from, rev.short+" (HEAD), committed ") || !strings.HasSuffix(info.from, `"this module, builds"`) ||
				!strings.HasPrefix(info.goVersion, "go") {
				t.Errorf("build info %+v", info)
			}
		}
	}
}
