package main

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// modulePath is this module: the bench runs inside it, and a baseline must be a revision of it.
const modulePath = "github.com/winipam/terraform-provider-ipam"

// declaresModule reports whether a go.mod is this module's.
func declaresModule(goMod []byte) bool {
	for _, line := range strings.Split(string(goMod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == modulePath {
			return true
		}
	}
	return false
}

// revision is a commit the baseline is built from.
type revision struct {
	commit, short, date, subject string
}

// resolveRevision finds the commit ref names in the repository at root.
func resolveRevision(ctx context.Context, root, ref string) (revision, error) {
	commit, err := gitOutput(ctx, root, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return revision{}, fmt.Errorf("%q is not a commit of the repository at %s (git rev-parse: %w)", ref, root, err)
	}
	show, err := gitOutput(ctx, root, "show", "-s", "--format=%h%x00%cs%x00%s", commit)
	if err != nil {
		return revision{}, fmt.Errorf("%s: %w", commit, err)
	}
	f := strings.SplitN(show, "\x00", 3)
	if len(f) != 3 {
		return revision{}, fmt.Errorf("%s: git show gave %q", commit, show)
	}
	return revision{commit: commit, short: f[0], date: f[1], subject: f[2]}, nil
}

// gitOutput runs git in root and returns its output, trimmed; an error carries git's message.
func gitOutput(ctx context.Context, root string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%w: %s", err, msg)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// buildBaseline builds the provider of rev into out: the commit's tree as git archive gives it
// (so a replace into the tree, such as today's vendored framework, resolves inside it), built with
// the same go and settings as the current build. The tree is removed afterwards unless keep.
func buildBaseline(ctx context.Context, goTool, root string, rev revision, out string, keep bool) error {
	src := filepath.Join(filepath.Dir(out), "src")
	if !keep {
		defer os.RemoveAll(src)
	}
	if err := extractRevision(ctx, root, rev.commit, src); err != nil {
		return fmt.Errorf("baseline %s: extracting its tree with git archive: %w", rev.short, err)
	}
	if data, err := os.ReadFile(filepath.Join(src, "go.mod")); err != nil || !declaresModule(data) {
		return fmt.Errorf("baseline %s: its tree has no go.mod of module %s at the top, so it is not a revision of this provider", rev.short, modulePath)
	}
	// GOWORK=off: the tree is one module, whatever workspace the caller's environment names.
	if err := goBuild(ctx, goTool, src, out, ".", "GOWORK=off"); err != nil {
		hint := "rerun with -keep to look at the extracted tree"
		if keep {
			hint = "the extracted tree is " + src
		}
		return fmt.Errorf("baseline %s does not build with %s (the go that builds the current provider; %s): %w", rev.short, goTool, hint, err)
	}
	return nil
}

// extractRevision writes commit's tree into dir, from git archive.
func extractRevision(ctx context.Context, root, commit, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "git", "-C", root, "archive", "--format=tar", commit)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	untarErr := untar(stdout, dir)
	if untarErr != nil {
		_ = cmd.Process.Kill()
	}
	_, _ = io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	switch {
	case untarErr != nil:
		return untarErr
	case waitErr != nil:
		return fmt.Errorf("git archive: %w: %s", waitErr, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// untar writes a tar stream of a git tree (directories, files, symbolic links) into dir. An
// entry whose path would leave dir is an error.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag == tar.TypeXGlobalHeader { // git archive's commit id
			continue
		}
		name := filepath.FromSlash(strings.TrimSuffix(h.Name, "/"))
		if name == "" || name == "." {
			continue
		}
		if !filepath.IsLocal(name) {
			return fmt.Errorf("tar entry %q is not a path inside the tree", h.Name)
		}
		path := filepath.Join(dir, name)
		if h.Typeflag != tar.TypeDir {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			// A git mode (0644 or 0755, less git archive's umask), kept writable so the tree can be removed.
			err = writeFile(path, tr, os.FileMode(h.Mode).Perm()|0o200)
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, path)
		default:
			err = fmt.Errorf("tar entry %q has type %q, which a git tree does not hold", h.Name, h.Typeflag)
		}
		if err != nil {
			return err
		}
	}
}

func writeFile(path string, r io.Reader, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// buildInfo says what a provider binary was built from, for the reports.
type buildInfo struct {
	from      string // e.g. "the working tree at be9ff64 (no uncommitted changes)"
	goVersion string // the toolchain that built it, from the binary
}

// currentBuild describes the current build: the working tree, at HEAD with or without changes
// to tracked files (others may be editing while the bench builds; this is the state a moment
// after the build).
func currentBuild(ctx context.Context, root, bin string) buildInfo {
	b := buildInfo{from: "the working tree", goVersion: binaryGoVersion(bin)}
	head, err := gitOutput(ctx, root, "rev-parse", "--short", "HEAD")
	if err != nil {
		return b
	}
	b.from += " at " + head
	if status, err := gitOutput(ctx, root, "status", "--porcelain", "--untracked-files=no"); err == nil {
		if status != "" {
			b.from += " (with uncommitted changes)"
		} else {
			b.from += " (no uncommitted changes)"
		}
	}
	return b
}

// named is the short commit, with the name -baseline gave it when that was not a hash.
func (r revision) named(ref string) string {
	if strings.HasPrefix(r.commit, ref) {
		return r.short
	}
	return r.short + " (" + ref + ")"
}

// baselineBuild describes the baseline build of rev, which -baseline named as ref.
func baselineBuild(ref string, rev revision, bin string) buildInfo {
	from := rev.named(ref)
	subject := rev.subject
	if r := []rune(subject); len(r) > 100 {
		subject = string(r[:99]) + "…"
	}
	return buildInfo{from: fmt.Sprintf("%s, committed %s, %q", from, rev.date, subject), goVersion: binaryGoVersion(bin)}
}

// binaryGoVersion is the Go version a binary was built with, "?" if it cannot be read.
func binaryGoVersion(bin string) string {
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "?"
	}
	return bi.GoVersion
}
