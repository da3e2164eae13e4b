// Command bench measures goinit against the inits people choose instead of
// it (tini, tini-static, dumb-init, catatonit), a naive Go init and the Go
// runtime's own floor, on the same machine in the same run. `make bench`
// builds what it needs and runs it; see BENCHMARKS.md for what it reports.
//
// The machines it runs on are noisy, so it never reports a lone absolute
// time: runs are interleaved (every round runs every init once, in a new
// random order), and figures are medians and ratios within one run. Every
// init runs as PID 1 of a PID namespace of its own, with signals sent from
// outside as `docker kill` sends them; "direct" is the workload run the same
// way with no init, the baseline for ratios.
//
// It installs nothing: a peer that is not installed is reported as missing
// and left out.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	os.Exit(run())
}

// options are bench's command line.
type options struct {
	quick  bool
	binDir string // where the Makefile put the workload, floors and naive init
	goinit string
	// baseline is another goinit measured beside it (an earlier commit),
	// with its symbol copy for cachegrind and a name for its column.
	baseline, baselineSym, baselineName string
	mdPath                              string
	json                                string
	svg                                 string
	phases                              map[string]bool
}

// A phase measures one thing of every target. It records what a target
// did, failures included; only a broken benchmark is an error.
type phase struct {
	name string
	run  func(plan, []*target, *results) error
}

// phases in the order they run.
var phases = []phase{
	{"size", measureSizes},
	{"startup", measureStartup},
	{"window", measureWindow},
	{"instructions", measureInstructions},
	{"memory", measureMemory},
	{"idle", measureIdle},
	{"reaping", measureReaping},
	{"signals", measureSignals},
}

func phaseNames() []string {
	var names []string
	for _, p := range phases {
		names = append(names, p.name)
	}
	return names
}

func parseOptions() (options, error) {
	var o options
	var only string
	flag.BoolVar(&o.quick, "quick", false, "a smoke run under 30 s: fewer rounds, smaller storms, a 3 s idle window")
	flag.StringVar(&o.binDir, "bin", "bin/bench", "directory with the workload, the Go floors and the naive init (make bench builds them)")
	flag.StringVar(&o.goinit, "goinit", "bin/goinit", "the goinit binary to measure")
	flag.StringVar(&o.baseline, "baseline", "", "another goinit binary to measure beside it, such as an earlier commit's")
	flag.StringVar(&o.baselineSym, "baseline-sym", "", "the baseline's copy with symbols, for cachegrind (default: the baseline itself)")
	flag.StringVar(&o.baselineName, "baseline-name", "before", "the baseline's column: goinit NAME")
	flag.StringVar(&o.mdPath, "md", "", "write the report into this markdown file (between its bench markers)")
	flag.StringVar(&o.json, "json", "", "write every raw figure to this JSON file")
	flag.StringVar(&o.svg, "svg", "", "write the chart of ratios to this SVG file")
	flag.StringVar(&only, "phases", strings.Join(phaseNames(), ","), "comma-separated phases to run")
	flag.Parse()
	if flag.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", flag.Arg(0))
	}
	o.phases = map[string]bool{}
	for _, p := range strings.Split(only, ",") {
		if !slices.Contains(phaseNames(), p) {
			return o, fmt.Errorf("unknown phase %q (phases: %s)", p, strings.Join(phaseNames(), ","))
		}
		o.phases[p] = true
	}
	var err error
	if o.binDir, err = filepath.Abs(o.binDir); err != nil {
		return o, err
	}
	if o.goinit, err = filepath.Abs(o.goinit); err != nil {
		return o, err
	}
	return o, nil
}

func run() int {
	o, err := parseOptions()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	if os.Geteuid() != 0 {
		return notRoot(o)
	}
	start := time.Now()
	p := planFor(o.quick)
	targets, missing, err := discoverTargets(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	for _, m := range missing {
		fmt.Fprintf(os.Stderr, "bench: not measured: %s\n", m)
	}
	res := newResults(o, p, targets, missing)
	if err := measureAll(o, p, targets, res); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	res.Config.Seconds = time.Since(start).Seconds()
	if err := writeOutputs(o, res); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	return 0
}

// notRoot explains why nothing was measured. PID namespaces need root; a
// quick run outside CI is skipped, as the integration tests are.
func notRoot(o options) int {
	fmt.Fprintln(os.Stderr, "bench: needs root: every init runs as PID 1 of a new PID namespace (sudo make bench)")
	if o.quick && os.Getenv("CI") != "true" {
		fmt.Fprintln(os.Stderr, "bench: quick run skipped")
		return 0
	}
	return 1
}

// measureAll runs the chosen phases in turn.
func measureAll(o options, p plan, targets []*target, res *results) error {
	for _, ph := range phases {
		if !o.phases[ph.name] {
			continue
		}
		begin := time.Now()
		progress("%s...", ph.name)
		if err := ph.run(p, targets, res); err != nil {
			return fmt.Errorf("%s: %w", ph.name, err)
		}
		progress("%s done in %.1fs", ph.name, time.Since(begin).Seconds())
	}
	return nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
