// Package dist is what goinit's tests know about its releases: the
// architectures make cross and make release build, the files make release
// writes into a dist directory, and the README's Install commands, which
// the tests run against those files the way a user would.
//
// It runs nothing itself: the tests in tests/ (binaries, packages, go
// install) and tests/container (images, Dockerfiles) do.
package dist

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// An Arch is one of the architectures of SPEC S8, under each name it goes
// by. The Makefile's PLATFORMS and scripts/release.sh name them too;
// OpenRelease fails on a release whose files do not match this table.
type Arch struct {
	Name     string // make cross's and the release's: goinit-X.Y.Z-linux-<Name>
	Build    string // the Makefile's PLATFORMS entry: GOOS/GOARCH[/GOARM]
	Platform string // the image's os/architecture[/variant], as --platform says it
	Debian   string // the .deb's Architecture
	Qemu     string // the user-mode emulator that runs it on another architecture
}

// Arches are every architecture goinit is built for.
var Arches = []Arch{
	{"amd64", "linux/amd64", "linux/amd64", "amd64", "qemu-x86_64-static"},
	{"arm64", "linux/arm64", "linux/arm64", "arm64", "qemu-aarch64-static"},
	{"armv7", "linux/arm/7", "linux/arm/v7", "armhf", "qemu-arm-static"},
	{"ppc64le", "linux/ppc64le", "linux/ppc64le", "ppc64el", "qemu-ppc64le-static"},
	{"s390x", "linux/s390x", "linux/s390x", "s390x", "qemu-s390x-static"},
	{"riscv64", "linux/riscv64", "linux/riscv64", "riscv64", "qemu-riscv64-static"},
}

// Host is the architecture the tests run on, whose binaries need no
// emulator.
func Host() (Arch, bool) {
	for _, a := range Arches {
		if strings.Split(a.Build, "/")[1] == runtime.GOARCH {
			return a, true
		}
	}
	return Arch{}, false
}

// A Release is a directory make release wrote.
type Release struct {
	Dir     string
	Version string
	Arches  []Arch // those it has files for
}

// OpenRelease reads the release in dir: its version, from the binaries'
// names, and the architectures it has. Each architecture must have its
// binary, .deb and image, and nothing else may be there but SHA256SUMS.
func OpenRelease(dir string) (*Release, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	r := &Release{Dir: dir}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
		rest, ok := strings.CutPrefix(e.Name(), "goinit-")
		if !ok || strings.HasSuffix(rest, ".image.tar") {
			continue
		}
		version, arch, ok := strings.Cut(rest, "-linux-")
		if !ok {
			return nil, fmt.Errorf("%s: %s is not goinit-VERSION-linux-ARCH", dir, e.Name())
		}
		if r.Version != "" && version != r.Version {
			return nil, fmt.Errorf("%s holds two versions, %s and %s", dir, r.Version, version)
		}
		r.Version = version
		a, ok := archNamed(arch)
		if !ok {
			return nil, fmt.Errorf("%s: %s is for no architecture goinit builds for", dir, e.Name())
		}
		r.Arches = append(r.Arches, a)
	}
	if len(r.Arches) == 0 {
		return nil, fmt.Errorf("%s has no goinit-VERSION-linux-ARCH binary", dir)
	}
	want := map[string]bool{"SHA256SUMS": true}
	for _, a := range r.Arches {
		for _, f := range []string{r.Binary(a), r.Deb(a), r.Image(a)} {
			want[filepath.Base(f)] = true
		}
	}
	for name := range want {
		if !names[name] {
			return nil, fmt.Errorf("%s has no %s", dir, name)
		}
	}
	for name := range names {
		if !want[name] {
			return nil, fmt.Errorf("%s holds %s, which make release does not write", dir, name)
		}
	}
	return r, nil
}

func archNamed(name string) (Arch, bool) {
	for _, a := range Arches {
		if a.Name == name {
			return a, true
		}
	}
	return Arch{}, false
}

// Binary, Deb and Image are the paths of a's files.
func (r *Release) Binary(a Arch) string {
	return filepath.Join(r.Dir, "goinit-"+r.Version+"-linux-"+a.Name)
}

func (r *Release) Deb(a Arch) string {
	return filepath.Join(r.Dir, "goinit_"+r.Version+"_"+a.Debian+".deb")
}

func (r *Release) Image(a Arch) string {
	return filepath.Join(r.Dir, "goinit-"+r.Version+"-linux-"+a.Name+".image.tar")
}

// Files are the names of every file in the release but SHA256SUMS, sorted.
func (r *Release) Files() []string {
	var out []string
	for _, a := range r.Arches {
		out = append(out, filepath.Base(r.Binary(a)), filepath.Base(r.Deb(a)), filepath.Base(r.Image(a)))
	}
	sort.Strings(out)
	return out
}

// Sums reads SHA256SUMS: the hex digest of each file it names.
func (r *Release) Sums() (map[string]string, error) {
	f, err := os.Open(filepath.Join(r.Dir, "SHA256SUMS"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			return nil, fmt.Errorf("SHA256SUMS: %q is not a sha256sum line", sc.Text())
		}
		sums[name] = sum
	}
	return sums, sc.Err()
}
