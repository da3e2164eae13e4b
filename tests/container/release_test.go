package container

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"goinit/tests/dist"
	"goinit/tests/internal/testenv"
)

// The release's images, and the Install section's two Dockerfiles, which
// give the modes release-image (COPY --from the loaded image) and
// release-binary (the release binary, downloaded and checked against its
// checksum). GOINITTEST_DIST_DIR names make release's output.

// Images the tests build from the Install section.
const (
	releaseImage  = "goinit-test/release-image"
	releaseBinary = "goinit-test/release-binary"
)

var (
	releaseReady, releaseImageReady, releaseBinaryReady testenv.Prerequisite
	release                                             *dist.Release
	install                                             *dist.Install
)

// requireRelease reads the release under test and the Install section.
func requireRelease(t *testing.T) {
	t.Helper()
	releaseReady.Require(t, func() (string, error) {
		dir := os.Getenv("GOINITTEST_DIST_DIR")
		if dir == "" {
			return "GOINITTEST_DIST_DIR is not set: it names make release's output (make integration and make release-check set it)", nil
		}
		host, _ := dist.Host()
		if host.Name != "amd64" {
			return "the Install section's commands name amd64's files; this machine is " + host.Name, nil
		}
		r, err := dist.OpenRelease(dir)
		if err != nil {
			return "", err
		}
		if !slices.Contains(r.Arches, host) {
			return "", fmt.Errorf("the release in %s has no %s files", dir, host.Name)
		}
		in, err := dist.ReadInstall(repoRoot)
		if err != nil {
			return "", err
		}
		release, install = r, in
		return "", nil
	})
}

// requireReleaseImage loads the release's image with the Install
// section's command and builds its COPY --from Dockerfile on baseImage.
func requireReleaseImage(t *testing.T) {
	t.Helper()
	requireDocker(t)
	requireRelease(t)
	releaseImageReady.Require(t, func() (string, error) {
		host, _ := dist.Host()
		load, err := install.Command("image-load", dist.Substitution{Version: release.Version})
		if err != nil {
			return "", err
		}
		out, err := asUser(release.Dir, load)
		if want := "Loaded image: goinit:" + release.Version; err != nil || !strings.Contains(out, want) {
			return "", fmt.Errorf("the Install section's %q in %s: %v, no %q in its output:\n%s", load, release.Dir, err, want, out)
		}
		if err := checkLoadedImage(host, "goinit:"+release.Version); err != nil {
			return "", err
		}
		dockerfile, err := install.Command("image-dockerfile", dist.Substitution{Version: release.Version, BaseImage: baseImage})
		if err != nil {
			return "", err
		}
		return "", buildDockerfile(dockerfile, releaseImage)
	})
}

// requireReleaseBinary builds the Install section's release-binary
// Dockerfile on baseImage, with the release served over HTTP where the
// Dockerfile downloads it from (its GOINIT_RELEASES).
func requireReleaseBinary(t *testing.T) {
	t.Helper()
	requireDocker(t)
	requireRelease(t)
	releaseBinaryReady.Require(t, func() (string, error) {
		return "", buildReleaseBinary(release.Dir, releaseBinary)
	})
}

// buildReleaseBinary builds the release-binary Dockerfile as tag, with the
// release's checksums and the binaries in dir served as the release's.
func buildReleaseBinary(dir, tag string) error {
	sums, err := release.Sums()
	if err != nil {
		return err
	}
	archSums := map[string]string{}
	for _, a := range release.Arches {
		archSums[a.Name] = sums[filepath.Base(release.Binary(a))]
	}
	dockerfile, err := install.Command("release-binary", dist.Substitution{
		Version: release.Version, Sums: archSums, BaseImage: baseImage,
	})
	if err != nil {
		return err
	}
	server := httptest.NewServer(http.StripPrefix("/v"+release.Version, http.FileServer(http.Dir(dir))))
	defer server.Close()
	return buildDockerfile(dockerfile, tag, "--build-arg", "GOINIT_RELEASES="+server.URL)
}

// buildDockerfile builds dockerfile, with an empty context, as tag. The
// engine has no network (engine-up.sh): the RUN steps get none either.
func buildDockerfile(dockerfile, tag string, args ...string) error {
	ctx, err := os.MkdirTemp("", "goinit-context-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(ctx)
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return err
	}
	args = append(append([]string{"build", "--network", "none", "-t", tag}, args...), ctx)
	if out, err := cli(dockerCLI, []string{"DOCKER_BUILDKIT=1"}, nil, args...); err != nil {
		return fmt.Errorf("building the Dockerfile\n%s\n%v\n%s", dockerfile, err, out)
	}
	return nil
}

// asUser runs a shell command from the Install section in dir, with the
// test engine's client as docker.
func asUser(dir, command string) (string, error) {
	client, err := exec.LookPath(dockerCLI)
	if err != nil {
		return "", err
	}
	bin, err := os.MkdirTemp("", "goinit-path-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(bin)
	if err := os.Symlink(client, filepath.Join(bin, "docker")); err != nil {
		return "", err
	}
	cmd := exec.Command("sh", "-ec", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// checkLoadedImage checks that the image ref, loaded from the release's
// image for a, is for a, labelled with the release's version and commit,
// runs goinit, and holds the release's binary as /sbin/goinit and nothing
// else.
func checkLoadedImage(a dist.Arch, ref string) error {
	versionLine, err := exec.Command(release.Binary(hostArch()), "--version").Output()
	if err != nil {
		return err
	}
	_, commit, _ := strings.Cut(strings.TrimSpace(string(versionLine)), " - git.")
	const format = `{{.Os}}/{{.Architecture}}{{with .Variant}}/{{.}}{{end}} ` +
		`{{index .Config.Labels "org.opencontainers.image.version"}} ` +
		`{{index .Config.Labels "org.opencontainers.image.revision"}} {{json .Config.Entrypoint}}`
	out, err := cli(dockerCLI, nil, nil, "image", "inspect", "--format", format, ref)
	want := a.Platform + " " + release.Version + " " + commit + ` ["/sbin/goinit"]`
	if err != nil || strings.TrimSpace(out) != want {
		return fmt.Errorf("%s: platform, version, revision and entrypoint are %q (%v), want %q", ref, out, err, want)
	}

	var saved bytes.Buffer
	save := exec.Command(dockerCLI, "save", ref)
	save.Stdout = &saved
	if err := save.Run(); err != nil {
		return fmt.Errorf("docker save %s: %v", ref, err)
	}
	files, err := savedImageFiles(saved.Bytes())
	if err != nil {
		return fmt.Errorf("docker save %s: %w", ref, err)
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"sbin/", "sbin/goinit"}; !slices.Equal(names, want) {
		return fmt.Errorf("%s holds %q, want %q only", ref, names, want)
	}
	bin, err := os.ReadFile(release.Binary(a))
	if err != nil {
		return err
	}
	if !bytes.Equal(files["sbin/goinit"], bin) {
		return fmt.Errorf("%s's /sbin/goinit is not the release's %s", ref, filepath.Base(release.Binary(a)))
	}
	if a == hostArch() {
		out, err := cli(dockerCLI, nil, nil, "run", "--rm", "--network", "none", ref, "--version")
		if err != nil || out != string(versionLine) {
			return fmt.Errorf("docker run %s --version printed %q (%v), want %q", ref, out, err, versionLine)
		}
	}
	return nil
}

func hostArch() dist.Arch {
	a, _ := dist.Host()
	return a
}

// savedImageFiles reads what `docker save` wrote for one image: the files
// of its layers, by name, with their contents.
func savedImageFiles(saved []byte) (map[string][]byte, error) {
	members, err := untar(bytes.NewReader(saved))
	if err != nil {
		return nil, err
	}
	var manifest []struct{ Layers []string }
	if err := json.Unmarshal(members["manifest.json"], &manifest); err != nil || len(manifest) != 1 {
		return nil, fmt.Errorf("manifest.json: %v (%d images)", err, len(manifest))
	}
	files := map[string][]byte{}
	for _, layer := range manifest[0].Layers {
		var r io.Reader = bytes.NewReader(members[layer])
		if b := members[layer]; len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
			if r, err = gzip.NewReader(r); err != nil {
				return nil, fmt.Errorf("layer %s: %w", layer, err)
			}
		}
		contents, err := untar(r)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", layer, err)
		}
		for name, b := range contents {
			files[name] = b
		}
	}
	return files, nil
}

// untar reads a tar into memory: each member's contents by name.
func untar(r io.Reader) (map[string][]byte, error) {
	members := map[string][]byte{}
	tr := tar.NewReader(bufio.NewReader(r))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return members, nil
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		members[strings.TrimPrefix(h.Name, "./")] = b
	}
}

func TestReleaseImagesHoldOnlyTheReleaseBinaryAndTheirLabels(t *testing.T) {
	// Each architecture's image (this machine's only, in make test), loaded
	// into the engine one after the other: each is goinit:VERSION.
	requireDocker(t)
	requireRelease(t)
	for _, a := range release.Arches {
		t.Run(a.Name, func(t *testing.T) {
			ref := "goinit:" + release.Version
			out, err := cli(dockerCLI, nil, nil, "load", "-i", release.Image(a))
			if err != nil || !strings.Contains(out, "Loaded image: "+ref) {
				t.Fatalf("docker load -i %s: %v, no %q in its output:\n%s", release.Image(a), err, "Loaded image: "+ref, out)
			}
			t.Cleanup(func() { cli(dockerCLI, nil, nil, "rmi", ref) })
			if err := checkLoadedImage(a, ref); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReleaseImageLoadsIntoPodmanAndRunsGoinit(t *testing.T) {
	podmanInit.require(t)
	requireRelease(t)
	host := hostArch()
	out := podmanInit.do(t, "load", "-i", release.Image(host))
	if want := "goinit:" + release.Version; !strings.Contains(out, want) {
		t.Fatalf("podman load -i %s printed no %q:\n%s", release.Image(host), want, out)
	}
	ref := "docker.io/library/goinit:" + release.Version
	t.Cleanup(func() { podmanInit.try(nil, "rmi", ref) })
	want, err := exec.Command(release.Binary(host), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := podmanInit.do(t, "run", "--rm", "--network", "none", ref, "--version"); got != string(want) {
		t.Errorf("podman run %s --version printed %q, want %q", ref, got, want)
	}
}

func TestReleaseBinaryDockerfileRefusesABinaryThatIsNotTheReleases(t *testing.T) {
	// The same Dockerfile and checksums, but the server hands out the
	// binary with one byte changed.
	requireDocker(t)
	requireRelease(t)
	host := hostArch()
	bin, err := os.ReadFile(release.Binary(host))
	if err != nil {
		t.Fatal(err)
	}
	bin[len(bin)/2] ^= 1
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(release.Binary(host))), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	err = buildReleaseBinary(dir, releaseBinary+"-tampered")
	if err == nil || !strings.Contains(err.Error(), "/sbin/goinit: FAILED") {
		t.Errorf("the build took a binary that does not match its checksum, or failed for another reason "+
			"than sha256sum's \"/sbin/goinit: FAILED\": %v", err)
	}
}
