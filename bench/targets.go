package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A target is one way of running a workload: under an init as PID 1, or
// directly as PID 1 (the baseline), or the Go runtime's floor, which runs
// no workload at all.
type target struct {
	Name string
	Kind targetKind
	Path string // the init, the floor, or "" for direct

	// args go between the init and the command (e.g. "--").
	args []string
	// idlePath is what stands for this target while a workload sleeps; only
	// the floor, whose start-up binary exits at once, has one of its own.
	idlePath string
	// cachegrindPath is the copy run under valgrind: Go programs as built
	// with their symbols, so that instructions can be told by function.
	cachegrindPath string

	Version string
}

type targetKind int

const (
	direct targetKind = iota
	anInit
	floor
)

// isInit reports whether t runs a workload as its child.
func (t *target) isInit() bool { return t.Kind == anInit }

// argv is the command line that runs command under t.
func (t *target) argv(command ...string) []string {
	switch t.Kind {
	case direct:
		return command
	case floor:
		return []string{t.Path}
	}
	return append(append([]string{t.Path}, t.args...), command...)
}

// An init the benchmark measures goinit against: a Debian package.
type peer struct {
	name, pkg string
	args      []string
}

var peers = []peer{
	{"tini", "tini", []string{"--"}},
	{"tini-static", "tini", []string{"--"}},
	{"dumb-init", "dumb-init", nil},
	{"catatonit", "catatonit", []string{"--"}},
}

// Files the Makefile builds into the bin directory (make bench-build).
const (
	workloadFile   = "workload"
	floorFile      = "floor"
	floorPauseFile = "floor-pause"
	naiveFile      = "naive"
	symSuffix      = ".sym"
	goinitSymFile  = "goinit.sym"
)

// discoverTargets lists what will be measured, in report order, and what
// is missing. goinit, the workload and the Go programs are required: the
// Makefile builds them. The peers are optional.
func discoverTargets(o options) (targets []*target, missing []string, err error) {
	need := []string{o.goinit, binFile(o, workloadFile), binFile(o, floorFile), binFile(o, floorPauseFile), binFile(o, naiveFile)}
	for _, f := range need {
		if _, err := os.Stat(f); err != nil {
			return nil, nil, fmt.Errorf("%s is missing: run make bench, which builds it", f)
		}
	}
	workloadPath = binFile(o, workloadFile)
	targets = append(targets, &target{
		Name: "goinit", Kind: anInit, Path: o.goinit, args: []string{"--"},
		cachegrindPath: binFile(o, goinitSymFile), Version: goinitVersion(o.goinit),
	})
	if o.baseline != "" {
		sym := o.baselineSym
		if sym == "" {
			sym = o.baseline
		}
		targets = append(targets, &target{
			Name: "goinit " + o.baselineName, Kind: anInit, Path: o.baseline, args: []string{"--"},
			cachegrindPath: sym, Version: goinitVersion(o.baseline),
		})
	}
	var absent []string
	for _, p := range peers {
		path, err := exec.LookPath(p.name)
		if err != nil {
			absent = append(absent, p.name)
			continue
		}
		targets = append(targets, &target{
			Name: p.name, Kind: anInit, Path: path, args: p.args,
			cachegrindPath: path, Version: debianVersion(p.pkg),
		})
	}
	if len(absent) > 0 {
		missing = append(missing, fmt.Sprintf("%s (not installed: apt-get install -y tini dumb-init catatonit, as scripts/setup.sh does)", strings.Join(absent, ", ")))
	}
	targets = append(targets,
		&target{
			Name: "naive Go", Kind: anInit, Path: binFile(o, naiveFile),
			cachegrindPath: binFile(o, naiveFile+symSuffix), Version: "bench/naive",
		},
		&target{
			Name: "Go floor", Kind: floor, Path: binFile(o, floorFile), idlePath: binFile(o, floorPauseFile),
			cachegrindPath: binFile(o, floorFile+symSuffix), Version: "bench/floor",
		},
		&target{Name: "direct", Kind: direct, Version: "no init"},
	)
	return targets, missing, nil
}

func binFile(o options, name string) string { return filepath.Join(o.binDir, name) }

func goinitVersion(path string) string {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "goinit version ")
}

func debianVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil || len(out) == 0 {
		return "unknown"
	}
	return "Debian " + string(out)
}

// inits selects the targets that run a workload as their child.
func inits(targets []*target) []*target {
	var out []*target
	for _, t := range targets {
		if t.isInit() {
			out = append(out, t)
		}
	}
	return out
}

// find returns the target named name, or nil.
func find(targets []*target, name string) *target {
	for _, t := range targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}
