package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"goinit/tests/dist"
	"goinit/tests/internal/testenv"
)

// The release as users get it: make release's files, in the directory
// GOINITTEST_DIST_DIR names (make integration packages one for the host's
// architecture, make release-check every architecture), used the way the
// Install section (dist.InstallDoc) says. The images are tested in
// tests/container.

// buildGuard bounds a build (make release, go install, apt), so one that
// hangs fails its test. It is not a performance threshold.
const buildGuard = 10 * time.Minute

// openRelease is the release under test.
func openRelease(t *testing.T) *dist.Release {
	t.Helper()
	dir := os.Getenv("GOINITTEST_DIST_DIR")
	if dir == "" {
		testenv.SkipUnlessCI(t, "GOINITTEST_DIST_DIR is not set: it names make release's output (make integration and make release-check set it)")
	}
	r, err := dist.OpenRelease(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// repoRoot is the checkout under test.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// installCommand is the Install section's block name with s applied, for
// a release on this machine's architecture: the section's commands name
// amd64's files.
func installCommand(t *testing.T, name string, s dist.Substitution) string {
	t.Helper()
	if host, _ := dist.Host(); host.Name != "amd64" {
		testenv.SkipUnlessCI(t, "the Install section's commands name amd64's files; this machine is "+host.Name)
	}
	in, err := dist.ReadInstall(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := in.Command(name, s)
	if err != nil {
		t.Fatal(err)
	}
	return cmd
}

// shell runs script with sh -e and args as its $1..., in dir, with env
// added to the test's environment and stdin as its input, and returns its
// combined output.
func shell(dir string, env []string, stdin, script string, args ...string) (string, error) {
	return testenv.Shell(buildGuard, dir, env, stdin, script, args...)
}

// versionLine is what bin, a goinit for a, prints for --version.
func versionLine(t *testing.T, a dist.Arch, bin string) string {
	t.Helper()
	argv := append(emulator(t, a), bin, "--version")
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	return string(out)
}

func TestReleaseBinariesExitForwardAndReapAsPID1(t *testing.T) {
	requireRoot(t)
	r := openRelease(t)
	for _, a := range r.Arches {
		t.Run(a.Name, func(t *testing.T) {
			exitsForwardsAndReapsAsPID1(t, a, r.Binary(a))
			want := "goinit version " + r.Version + " - git."
			if got := versionLine(t, a, r.Binary(a)); !strings.HasPrefix(got, want) {
				t.Errorf("--version printed %q, want the release's version: %q...", got, want)
			}
		})
	}
}

func TestReleaseChecksumsCoverEveryFileAndCatchAChangedOne(t *testing.T) {
	r := openRelease(t)
	sums, err := r.Sums()
	if err != nil {
		t.Fatal(err)
	}
	listed := slices.Sorted(func(yield func(string) bool) {
		for name := range sums {
			if !yield(name) {
				return
			}
		}
	})
	if files := r.Files(); !slices.Equal(listed, files) {
		t.Errorf("SHA256SUMS lists %q, want every file of the release: %q", listed, files)
	}

	check := installCommand(t, "checksums", dist.Substitution{})
	if out, err := shell(r.Dir, nil, "", check); err != nil {
		t.Errorf("%s in the release: %v\n%s", check, err, out)
	}

	// A copy with one byte changed in one file must fail the same check.
	changed := t.TempDir()
	for _, name := range append(r.Files(), "SHA256SUMS") {
		b, err := os.ReadFile(filepath.Join(r.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == filepath.Base(r.Deb(r.Arches[0])) {
			b[len(b)/2] ^= 1
		}
		if err := os.WriteFile(filepath.Join(changed, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := shell(changed, nil, "", check)
	if want := filepath.Base(r.Deb(r.Arches[0])) + ": FAILED"; err == nil || !strings.Contains(out, want) {
		t.Errorf("%s passed (%v) with a byte of a .deb changed; want a failure naming it (%q); output:\n%s", check, err, want, out)
	}
}

func TestGoInstallFromACloneInstallsOnlyAWorkingGoinit(t *testing.T) {
	// As the Install section says, from a clone of this checkout (its
	// committed tree), with no flags.
	work, gobin := t.TempDir(), t.TempDir()
	install := installCommand(t, "go-install", dist.Substitution{CloneFrom: repoRoot(t)})
	env := []string{"GOBIN=" + gobin, "GOFLAGS="}
	if out, err := shell(work, env, "", install); err != nil {
		t.Fatalf("the Install section's go install: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(gobin)
	if err != nil {
		t.Fatal(err)
	}
	var installed []string
	for _, e := range entries {
		installed = append(installed, e.Name())
	}
	if !slices.Equal(installed, []string{"goinit"}) {
		t.Fatalf("go install installed %q, want goinit alone", installed)
	}
	goinit := filepath.Join(gobin, "goinit")
	if out, err := exec.Command(goinit, "--version").Output(); err != nil || !strings.HasPrefix(string(out), "goinit version ") {
		t.Errorf("the installed goinit printed %q (%v) for --version", out, err)
	}
	r := start(t, asSubreaper, exec.Command(goinit, "--", "sh", "-c", "exit 3"))
	if code := r.exitStatus(); code != 3 {
		t.Errorf("the installed goinit exited %d, want the command's 3; stderr %q", code, r.Stderr())
	}
}

// releaseEnv is the environment make release runs in from a test: the
// test's, without what make (running the tests) passes down to commands,
// which would reach the inner make.
func releaseEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "SOURCE_DATE_EPOCH", "VERSION", "COMMIT", "GOFLAGS":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func TestReleaseIsTheSameBytesFromTwoClonesAtTwoTimes(t *testing.T) {
	// Two clones of this checkout's commit, tagged v1.2.3, in different
	// directories; the second is built later, with an empty Go build cache,
	// another time zone and umask. Only this machine's architecture, unless
	// GOINITTEST_RELEASE_ALL=1 (make release-check).
	host, ok := dist.Host()
	if !ok {
		testenv.SkipUnlessCI(t, "this machine's architecture is none goinit is built for")
	}
	platforms := "PLATFORMS=" + host.Build
	if os.Getenv("GOINITTEST_RELEASE_ALL") == "1" {
		platforms = "" // the Makefile's: all of them
	}
	const tag, version = "v1.2.3", "1.2.3"
	base := t.TempDir()
	var dists []string
	for i, where := range []string{"a/goinit", "b/somewhere/else/goinit"} {
		dir := filepath.Join(base, where)
		const script = `git clone --quiet --no-tags "$1" "$2"; cd "$2"; git tag "$3"; umask "$4"; make -s release $5`
		env, umask := releaseEnv("TZ=UTC"), "022"
		if i == 1 {
			env, umask = releaseEnv("TZ=Pacific/Kiritimati", "GOCACHE="+filepath.Join(base, "gocache")), "077"
		}
		if out, err := shell(base, env, "", script, repoRoot(t), dir, tag, umask, platforms); err != nil {
			t.Fatalf("make release in %s: %v\n%s", dir, err, out)
		}
		dists = append(dists, filepath.Join(dir, "dist"))
	}

	a, err := dist.OpenRelease(dists[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != version {
		t.Errorf("make release on a commit tagged %s wrote version %q, want %q", tag, a.Version, version)
	}
	if !slices.Contains(a.Arches, host) {
		t.Fatalf("the release in %s has no %s binary (it has %v)", dists[0], host.Name, a.Arches)
	}
	commit, err := exec.Command("git", "-C", filepath.Dir(dists[0]), "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "goinit version " + version + " - git." + string(commit)
	if got := versionLine(t, host, a.Binary(host)); got != want {
		t.Errorf("the release binary printed %q for --version, want %q", got, want)
	}
	var differ []string
	for _, name := range append(a.Files(), "SHA256SUMS") {
		x, errA := os.ReadFile(filepath.Join(dists[0], name))
		y, errB := os.ReadFile(filepath.Join(dists[1], name))
		if errA != nil || errB != nil {
			t.Fatalf("reading %s: %v, %v", name, errA, errB)
		}
		if !bytes.Equal(x, y) {
			differ = append(differ, name)
		}
	}
	if len(differ) > 0 {
		t.Errorf("two builds of one commit differ in %q", differ)
	}
	if b, err := dist.OpenRelease(dists[1]); err != nil || !slices.Equal(b.Files(), a.Files()) {
		t.Errorf("the second build wrote other files: %v", err)
	}
}
