package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// measureInstructions counts the instructions each init executes for
// `INIT true`, from exec to exit, with valgrind's cachegrind (instruction
// counts are the one figure a noisy machine cannot disturb). valgrind does
// not follow the init into its child, so `true` is not counted.
//
// Go programs are counted several times: the runtime's threads spin a
// varying while, under valgrind as on a real machine. Their copies keep
// their symbols, which changes no instruction they execute, so goinit's
// count can be split by function and set against the empty Go program's.
func measureInstructions(p plan, targets []*target, res *results) error {
	if _, err := exec.LookPath("valgrind"); err != nil {
		res.Missing = append(res.Missing, "valgrind (instructions not counted: apt-get install -y valgrind, as scripts/setup.sh does)")
		return nil
	}
	dir, err := os.MkdirTemp("", "goinit-bench-cachegrind-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	outFiles := map[*target][]string{}
	for i := 0; i < max(p.CachegrindRunsGo, p.CachegrindRunsC); i++ {
		for _, t := range shuffled(targets) {
			if i >= cachegrindRuns(p, t) {
				continue
			}
			out := filepath.Join(dir, fmt.Sprintf("%s.%d", strings.ReplaceAll(t.Name, " ", "-"), i))
			if err := runCachegrind(t, out); err != nil {
				res.of(t).fail("cachegrind: %v", err)
				continue
			}
			outFiles[t] = append(outFiles[t], out)
		}
	}
	medianFiles := map[string]string{}
	for _, t := range targets {
		r, file, err := summarise(t, outFiles[t])
		if err != nil {
			return err
		}
		if r == nil {
			continue
		}
		res.of(t).Instructions = r
		medianFiles[t.Name] = file
	}
	if medianFiles["goinit"] != "" && medianFiles["Go floor"] != "" {
		prof, err := compareProfiles(medianFiles["goinit"], medianFiles["Go floor"])
		if err != nil {
			return err
		}
		res.Profile = prof
	}
	return nil
}

func isGo(t *target) bool { return strings.HasSuffix(t.cachegrindPath, symSuffix) }

func cachegrindRuns(p plan, t *target) int {
	if isGo(t) {
		return p.CachegrindRunsGo
	}
	return p.CachegrindRunsC
}

// runCachegrind runs t's `INIT true` under cachegrind, as PID 1 of a new
// PID namespace (valgrind runs the program in its own process), writing
// cachegrind's counts to out.
func runCachegrind(t *target, out string) error {
	counted := *t // direct counts true itself, for scale
	counted.Path = t.cachegrindPath
	argv := append([]string{"/usr/bin/valgrind", "--tool=cachegrind", "--cache-sim=no",
		"--cachegrind-out-file=" + out, "--log-file=" + out + ".log"},
		counted.argv(trueCommand)...)
	p, err := spawn(argv, stdio{})
	if err != nil {
		return err
	}
	if !p.waitFor(2 * time.Minute) {
		p.kill()
		return fmt.Errorf("%s did not finish under valgrind", t.Name)
	}
	if code := p.exitCode(); code != 0 {
		log, _ := os.ReadFile(out + ".log")
		return fmt.Errorf("%s exited %d under valgrind: %s", t.Name, code, lastLine(string(log)))
	}
	return nil
}

// summarise reads the runs' totals and returns the result and the file of
// the median run (the one whose profile stands for the target).
func summarise(t *target, files []string) (*instrResult, string, error) {
	if len(files) == 0 {
		return nil, "", nil
	}
	r := &instrResult{Binary: t.cachegrindPath}
	if t.Kind == direct {
		r.Binary, r.Note = trueCommand, "true itself, for scale"
	}
	for _, f := range files {
		total, err := cachegrindTotal(f)
		if err != nil {
			return nil, "", err
		}
		r.Counts = append(r.Counts, total)
	}
	r.Median = median(r.Counts)
	// An even number of runs has no median run; take the nearest above.
	sorted := slices.Clone(r.Counts)
	slices.Sort(sorted)
	pick := sorted[len(sorted)/2]
	return r, files[slices.Index(r.Counts, pick)], nil
}

// cachegrindTotal reads the "summary:" line of a cachegrind output file.
func cachegrindTotal(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "summary:"); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("%s: no summary line", path)
}

// cachegrindByFunction sums a cachegrind output file's counts by function.
func cachegrindByFunction(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byFn := map[string]int64{}
	fn := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "fn="); ok {
			fn = name
			continue
		}
		fields := strings.Fields(line)
		if fn == "" || len(fields) != 2 {
			continue
		}
		if _, err := strconv.Atoi(fields[0]); err != nil {
			continue
		}
		n, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			continue
		}
		byFn[fn] += n
	}
	return byFn, sc.Err()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
