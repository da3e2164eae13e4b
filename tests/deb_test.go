package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"goinit/tests/dist"
	"goinit/tests/internal/testenv"
)

// A debEntry is one line of dpkg-deb --contents.
type debEntry struct {
	mode, owner, path, link string
}

// debContents lists what deb installs.
func debContents(t *testing.T, deb string) []debEntry {
	t.Helper()
	out, err := exec.Command("dpkg-deb", "--contents", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb --contents %s: %v", deb, err)
	}
	var entries []debEntry
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// drwxr-xr-x root/root 0 2026-01-01 00:00 ./usr/
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb --contents %s: unexpected line %q", deb, line)
		}
		e := debEntry{mode: f[0], owner: f[1], path: strings.TrimPrefix(f[5], ".")}
		if len(f) == 8 && f[6] == "->" {
			e.link = f[7]
		}
		entries = append(entries, e)
	}
	return entries
}

// installedFiles are the paths a .deb of version installs, other than
// directories, each with its mode and where it links to.
func installedFiles(version string) []debEntry {
	// A version with a hyphen is a Debian revision of an upstream one,
	// whose changelog Debian names changelog.Debian.gz.
	changelog := "changelog.gz"
	if strings.Contains(version, "-") {
		changelog = "changelog.Debian.gz"
	}
	return []debEntry{
		{"lrwxrwxrwx", "root/root", "/sbin/goinit", "/usr/bin/goinit"},
		{"-rwxr-xr-x", "root/root", "/usr/bin/goinit", ""},
		{"-rw-r--r--", "root/root", "/usr/share/doc/goinit/" + changelog, ""},
		{"-rw-r--r--", "root/root", "/usr/share/doc/goinit/copyright", ""},
		{"-rw-r--r--", "root/root", "/usr/share/lintian/overrides/goinit", ""},
		{"-rw-r--r--", "root/root", "/usr/share/man/man8/goinit.8.gz", ""},
	}
}

func TestDebianPackagesHoldTheReleaseBinaryAndInstallAndRemoveCleanly(t *testing.T) {
	// Into an empty root with dpkg --root; goinit then runs from /usr/bin
	// and /sbin in that root (chroot; under qemu on other architectures).
	requireRoot(t)
	r := openRelease(t)
	for _, a := range r.Arches {
		t.Run(a.Name, func(t *testing.T) {
			deb := r.Deb(a)
			for field, want := range map[string]string{"Package": "goinit", "Version": r.Version, "Architecture": a.Debian} {
				out, err := exec.Command("dpkg-deb", "--field", deb, field).Output()
				if got := strings.TrimSpace(string(out)); err != nil || got != want {
					t.Errorf("%s: %s is %q (%v), want %q", deb, field, got, err, want)
				}
			}
			var files []debEntry
			for _, e := range debContents(t, deb) {
				if e.owner != "root/root" {
					t.Errorf("%s: %s is owned by %s, want root/root", deb, e.path, e.owner)
				}
				if !strings.HasPrefix(e.mode, "d") {
					files = append(files, e)
				}
			}
			slices.SortFunc(files, func(x, y debEntry) int { return strings.Compare(x.path, y.path) })
			if want := installedFiles(r.Version); !slices.Equal(files, want) {
				t.Errorf("%s installs\n%v\nwant\n%v", deb, files, want)
			}
			packaged, err := exec.Command("sh", "-c", `dpkg-deb --fsys-tarfile "$1" | tar -xOf - ./usr/bin/goinit`, "sh", deb).Output()
			if err != nil {
				t.Fatalf("extracting /usr/bin/goinit from %s: %v", deb, err)
			}
			if release, err := os.ReadFile(r.Binary(a)); err != nil || !bytes.Equal(packaged, release) {
				t.Errorf("%s's /usr/bin/goinit is not the release's %s (%v)", deb, filepath.Base(r.Binary(a)), err)
			}

			root := t.TempDir()
			for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
				if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			dpkg := func(args ...string) {
				t.Helper()
				args = append([]string{"--root=" + root, "--force-architecture"}, args...)
				if out, err := exec.Command("dpkg", args...).CombinedOutput(); err != nil {
					t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
			dpkg("--install", deb)
			// The emulator, if any, copied into the root the binary runs in.
			var inRoot []string
			for _, qemu := range emulator(t, a) {
				inRoot = []string{"/" + a.Qemu}
				if out, err := exec.Command("cp", qemu, filepath.Join(root, a.Qemu)).CombinedOutput(); err != nil {
					t.Fatalf("copying %s: %v %s", qemu, err, out)
				}
			}
			want := versionLine(t, a, r.Binary(a))
			for _, path := range []string{"/usr/bin/goinit", "/sbin/goinit"} {
				argv := append(append([]string{root}, inRoot...), path, "--version")
				if out, err := exec.Command("chroot", argv...).Output(); err != nil || string(out) != want {
					t.Errorf("installed, %s --version printed %q (%v), want %q", path, out, err, want)
				}
			}
			if len(inRoot) > 0 {
				os.Remove(filepath.Join(root, a.Qemu))
			}

			dpkg("--remove", "goinit")
			if out, err := exec.Command("dpkg", "--root="+root, "--status", "goinit").CombinedOutput(); err == nil {
				t.Errorf("removed, dpkg still knows goinit:\n%s", out)
			}
			var left []string
			filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
				rel, _ := filepath.Rel(root, path)
				switch {
				case err != nil:
					left = append(left, rel+": "+err.Error())
				case rel == "var/lib/dpkg" && d.IsDir():
					return filepath.SkipDir // dpkg's own records
				case rel != "." && rel != "var" && rel != "var/lib":
					left = append(left, rel)
				}
				return nil
			})
			if len(left) > 0 {
				t.Errorf("removed, goinit left %q behind", left)
			}
		})
	}
}

func TestDebianPackagesAreLintianClean(t *testing.T) {
	r := openRelease(t)
	if _, err := exec.LookPath("lintian"); err != nil {
		testenv.SkipUnlessCI(t, "lintian is not installed (apt-get install lintian, or scripts/setup.sh)")
	}
	var debs []string
	for _, a := range r.Arches {
		debs = append(debs, r.Deb(a))
	}
	args := append([]string{"--fail-on", "error,warning,info", "--info"}, debs...)
	if out, err := exec.Command("lintian", args...).CombinedOutput(); err != nil {
		t.Errorf("lintian %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestDebianPackageInstallsWithAptAndRemovesAsTheInstallSectionSays(t *testing.T) {
	// The Install section's apt commands, as root (sudo runs its
	// arguments), in a throwaway copy of this machine, from the directory
	// holding the release; the removal is confirmed with "y".
	requireRoot(t)
	r := openRelease(t)
	host, _ := dist.Host()
	if !slices.Contains(r.Arches, host) {
		t.Fatalf("the release in %s has no %s files", r.Dir, host.Name)
	}
	install := installCommand(t, "deb-install", dist.Substitution{Version: r.Version})
	remove := installCommand(t, "deb-remove", dist.Substitution{})
	var paths []string
	for _, e := range installedFiles(r.Version) {
		paths = append(paths, e.path)
	}
	script := "sudo() { \"$@\"; }\ncd /release\n" + install +
		"/sbin/goinit --version\n" +
		"dpkg-query --show --showformat='${Status}\\n' goinit\n" +
		remove +
		"if dpkg-query --show goinit; then echo 'removed, dpkg still knows goinit'; exit 1; fi\n" +
		"for f in " + strings.Join(paths, " ") + "; do\n" +
		"	if [ -e \"$f\" ] || [ -L \"$f\" ]; then echo \"removed, $f is still there\"; exit 1; fi\n" +
		"done\n"
	out, err := inThrowawayRoot(t, r.Dir, "y\n", script)
	if err != nil {
		t.Fatalf("%v; the script:\n%s\nits output:\n%s", err, script, out)
	}
	want := versionLine(t, host, r.Binary(host))
	if n := strings.Count(out, want); n != 2 || !strings.Contains(out, "install ok installed") {
		t.Errorf("want the release's %q from goinit on PATH and from /sbin/goinit (got it %d times) and dpkg's "+
			"\"install ok installed\"; output:\n%s", want, n, out)
	}
}

// inThrowawayRoot runs script with sh -e as root in a throwaway copy of
// this machine: chrooted into an overlay on / whose changes are kept in
// memory, in a mount namespace of its own, with /proc, /dev and the
// directory release (at /release) mounted in. Whatever the script
// installs or removes is gone when it returns.
func inThrowawayRoot(t *testing.T, release, stdin, script string) (string, error) {
	t.Helper()
	const setup = `tmp=$1 release=$2 script=$3
mount -t tmpfs tmpfs "$tmp"
mkdir "$tmp/upper" "$tmp/work" "$tmp/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/upper,workdir=$tmp/work" "$tmp/root"
mount --bind /proc "$tmp/root/proc"
mount --rbind /dev "$tmp/root/dev"
mkdir -p "$tmp/root/release"
mount --bind "$release" "$tmp/root/release"
exec chroot "$tmp/root" sh -ec "$script"`
	return shell("/", nil, stdin, `exec unshare --mount --propagation private sh -ec "$1" sh "$2" "$3" "$4"`,
		setup, t.TempDir(), release, script)
}
