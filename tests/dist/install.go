package dist

import (
	"fmt"
	"regexp"
	"strings"

	"goinit/tests/internal/testenv"
)

// InstallDoc is the file, relative to the repository root, whose
// "## Install" section the tests run. Each command there that a test runs
// is a fenced block right after a marker naming it:
//
//	<!-- install-test: deb-install -->
//	```sh
//	sudo apt install ./goinit_X.Y.Z_amd64.deb
//	```
const InstallDoc = "README.md"

// Install is the Install section: its marked blocks, and the version it
// shows (its ARG GOINIT_VERSION), which the tests replace with the one
// they test.
type Install struct {
	Version string
	blocks  map[string]string
}

var (
	versionArg  = regexp.MustCompile(`(?m)^ARG GOINIT_VERSION=(\S+)$`)
	checksumArm = regexp.MustCompile(`(?m)^(\s*)([a-z0-9]+)\)(\s+)sum=\S+ ;;`)
	fromLine    = regexp.MustCompile(`(?m)^FROM \S+`)
	gitClone    = regexp.MustCompile(`git clone (<[^>]*>|\S+)`)
)

// ReadInstall reads the Install section of InstallDoc under repoRoot.
func ReadInstall(repoRoot string) (*Install, error) {
	section, err := testenv.ReadmeSection(repoRoot, "## Install")
	if err != nil {
		return nil, err
	}
	blocks, err := testenv.MarkedBlocks(section, "install-test")
	if err != nil {
		return nil, fmt.Errorf("%s, Install: %w", InstallDoc, err)
	}
	in := &Install{blocks: blocks}
	for _, block := range in.blocks {
		if m := versionArg.FindStringSubmatch(block); m != nil {
			in.Version = m[1]
		}
	}
	if in.Version == "" {
		return nil, fmt.Errorf("%s: no block of the Install section sets ARG GOINIT_VERSION", InstallDoc)
	}
	return in, nil
}

// A Substitution is what a test puts in the place of what the Install
// section leaves to its reader; the rest of a block runs as shown. Each
// field that is set must find its place in the block.
type Substitution struct {
	Version   string            // for the section's version, wherever it appears
	Sums      map[string]string // Arch.Name to sha256, in each "NAME) sum=... ;;" line
	BaseImage string            // for the image of each FROM line
	CloneFrom string            // for what `git clone` clones
}

// Command returns the block marked name with s applied.
func (in *Install) Command(name string, s Substitution) (string, error) {
	block, ok := in.blocks[name]
	if !ok {
		return "", fmt.Errorf("%s: no block marked <!-- install-test: %s -->", InstallDoc, name)
	}
	missing := func(what string) error {
		return fmt.Errorf("%s: the block %q has no %s to substitute", InstallDoc, name, what)
	}
	if s.Version != "" {
		if !strings.Contains(block, in.Version) {
			return "", missing("version " + in.Version)
		}
		block = strings.ReplaceAll(block, in.Version, s.Version)
	}
	if s.Sums != nil {
		var err error
		if block, err = substituteSums(block, s.Sums); err != nil {
			return "", fmt.Errorf("%s: the block %q: %w", InstallDoc, name, err)
		}
	}
	if s.BaseImage != "" {
		if !fromLine.MatchString(block) {
			return "", missing("FROM line")
		}
		block = fromLine.ReplaceAllLiteralString(block, "FROM "+s.BaseImage)
	}
	if s.CloneFrom != "" {
		if !gitClone.MatchString(block) {
			return "", missing("git clone")
		}
		block = gitClone.ReplaceAllLiteralString(block, "git clone "+s.CloneFrom)
	}
	return block, nil
}

// substituteSums puts each sum in its architecture's line. Every
// architecture must have a line, and every line must be an architecture's.
func substituteSums(block string, sums map[string]string) (string, error) {
	seen := map[string]bool{}
	for _, m := range checksumArm.FindAllStringSubmatch(block, -1) {
		if _, ok := archNamed(m[2]); !ok {
			return "", fmt.Errorf("a checksum for %q, which is no architecture goinit is built for", m[2])
		}
		seen[m[2]] = true
	}
	for _, a := range Arches {
		if !seen[a.Name] {
			return "", fmt.Errorf("no checksum line for %s (%s)", a.Name, a.Platform)
		}
	}
	return checksumArm.ReplaceAllStringFunc(block, func(line string) string {
		m := checksumArm.FindStringSubmatch(line)
		sum, ok := sums[m[2]]
		if !ok {
			return line
		}
		return m[1] + m[2] + ")" + m[3] + "sum=" + sum + " ;;"
	}), nil
}
