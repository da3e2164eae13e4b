package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A figure is one row of the summary table: how to show it for a target,
// and goinit's target for it, if it has one. Targets are mostly relative
// to other targets in the same run (the Go floor, the C inits), since the
// machines this runs on differ more than any two inits do.
type figure struct {
	name   string
	target string
	value  func(tr *targetResult) (string, bool)
	meets  func(tr *targetResult, r *results) bool // nil: no target
}

// cInits are the C peers, the best of which some targets are set against.
var cInits = []string{"tini", "tini-static", "dumb-init", "catatonit"}

// bestC is the lowest of the C peers' figures that pick finds (ok false:
// none has it).
func bestC[T int64 | float64](r *results, pick func(*targetResult) (T, bool)) (best T, found bool) {
	for _, name := range cInits {
		if tr := r.byName[name]; tr != nil {
			if v, ok := pick(tr); ok && (!found || v < best) {
				best, found = v, true
			}
		}
	}
	return best, found
}

// within reports whether goinit's figure is at most factor times the
// reference's, when both were measured.
func within[T int64 | float64](v T, ok bool, ref T, refOK bool, factor float64) bool {
	return ok && refOK && float64(v) <= factor*float64(ref)
}

func figures(p plan) []figure {
	small, large := p.OrphanCounts[0], p.OrphanCounts[len(p.OrphanCounts)-1]
	floor := func(r *results) *targetResult { return r.byName["Go floor"] }
	return []figure{
		{"start-up: `INIT true` ÷ `true`, median of per-round ratios", "≤ 1.15 × the Go floor's",
			startupCell, func(tr *targetResult, r *results) bool {
				f := floor(r)
				return f != nil && f.Startup != nil && tr.Startup.Ratio <= 1.15*f.Startup.Ratio
			}},
		{"start-up window: fork until the init has taken signals over and started its child (median; p90)", "≤ 1.5 × tini-static's",
			windowCell, func(tr *targetResult, r *results) bool {
				t := r.byName["tini-static"]
				return t != nil && t.Window != nil && tr.Window != nil && float64(tr.Window.Median) <= 1.5*float64(t.Window.Median)
			}},
		{"instructions executed by the init for `INIT true`", "≤ 1.6 × the Go floor's",
			instructionsCell, func(tr *targetResult, r *results) bool {
				f := floor(r)
				return f != nil && f.Instructions != nil && tr.Instructions != nil && float64(tr.Instructions.Median) <= 1.6*float64(f.Instructions.Median)
			}},
		{"peak RSS (VmHWM)", "≤ 2.4 MiB",
			memoryCell(func(m *memoryResult) int64 { return m.PeakRSS }), func(tr *targetResult, _ *results) bool { return float64(tr.Memory.PeakRSS) <= 2.4*1024 }},
		{"private memory (RssAnon), median (highest round)", "≤ 600 KiB in every round",
			func(tr *targetResult) (string, bool) {
				if tr.Memory == nil {
					return "", false
				}
				return fmt.Sprintf("%s (%s)", kib(tr.Memory.RssAnon), kib(highestRssAnon(tr.Memory))), true
			}, func(tr *targetResult, _ *results) bool { return tr.Memory != nil && highestRssAnon(tr.Memory) <= 600 }},
		{"PSS", "",
			memoryCell(func(m *memoryResult) int64 { return m.Pss }), nil},
		{"binary size", "≤ 2.1 MiB, static",
			sizeCell, func(tr *targetResult, _ *results) bool {
				return tr.Binary.Static && float64(tr.Binary.Bytes) <= 2.1*(1<<20)
			}},
		{"idle: wake-ups per minute (all threads)", "≤ 2",
			idleCell(func(i *idleResult) string { return fmt.Sprintf("%.1f", i.WakeupsPerMin) }),
			func(tr *targetResult, _ *results) bool { return tr.Idle.WakeupsPerMin <= 2 }},
		{"idle: CPU time per minute", "",
			idleCell(func(i *idleResult) string { return fmt.Sprintf("%.0f µs", i.CPUPerMinMicros) }), nil},
		reapCPUFigure(oneByOne, small, "≤ 1.5 × the best C init's", 1.5, 0),
		reapCPUFigure(oneByOne, large, "≤ 1.5 × the best C init's", 1.5, 0),
		reapCPUFigure(allAtOnce, small, "≤ the best C init's", 1, 0),
		reapCPUFigure(allAtOnce, large, fmt.Sprintf("≤ the best C init's, ≤ 1.3 × its own at %s", thousands(int64(small))), 1, small),
		reapUntilFigure(allAtOnce, small), reapUntilFigure(allAtOnce, large),
		{"signal round trip p50 ÷ direct", "≤ 3.0×",
			signalCell(func(s *signalResult) string { return ratio(s.RatioP50) }),
			func(tr *targetResult, _ *results) bool { return tr.Signals.RatioP50 <= 3.0 }},
		{"signal round trip p99 ÷ direct", "",
			signalCell(func(s *signalResult) string { return ratio(s.RatioP99) }), nil},
		{"init CPU per forwarded signal", "≤ 35 µs",
			signalCell(func(s *signalResult) string { return fmt.Sprintf("%.1f µs", s.CPUPerSignalUs) }),
			func(tr *targetResult, _ *results) bool { return tr.Signals.CPUPerSignalUs <= 35 }},
		{"init context switches per forwarded signal", "",
			signalCell(func(s *signalResult) string { return fmt.Sprintf("%.2f", s.SwitchesPerSignal) }), nil},
		{fmt.Sprintf("storm of %s signals: survived; exit code on TERM", thousands(int64(p.StormSignals))), "yes; 143",
			stormCell, func(tr *targetResult, _ *results) bool { return tr.Storm.Survived && tr.Storm.ExitCode == 143 }},
		{fmt.Sprintf("queued real-time signals delivered, of %s", thousands(int64(p.RealtimeSignals))), "",
			func(tr *targetResult) (string, bool) {
				if tr.Storm == nil {
					return "", false
				}
				return thousands(int64(tr.Storm.RealtimeReceived)), true
			}, nil},
		{"spurious signals at the child", "0",
			spuriousCell, func(tr *targetResult, _ *results) bool { return tr.spuriousTotal() == 0 }},
	}
}

// highestRssAnon is the largest RssAnon of any round.
func highestRssAnon(m *memoryResult) int64 {
	high := m.RssAnon
	for _, s := range m.Samples {
		high = max(high, s.RssAnon)
	}
	return high
}

func startupCell(tr *targetResult) (string, bool) {
	if tr.Startup == nil || tr.Startup.Ratio == 0 {
		return "", false
	}
	return ratio(tr.Startup.Ratio), true
}

func windowCell(tr *targetResult) (string, bool) {
	if tr.Window == nil || len(tr.Window.Ns) == 0 {
		return "", false
	}
	return fmt.Sprintf("%d µs; %d µs", tr.Window.Median.Microseconds(), tr.Window.P90.Microseconds()), true
}

func instructionsCell(tr *targetResult) (string, bool) {
	if tr.Instructions == nil {
		return "", false
	}
	return fmt.Sprintf("%s k", thousands((tr.Instructions.Median+500)/1000)), true
}

func memoryCell(pick func(*memoryResult) int64) func(*targetResult) (string, bool) {
	return func(tr *targetResult) (string, bool) {
		if tr.Memory == nil {
			return "", false
		}
		return kib(pick(tr.Memory)), true
	}
}

func sizeCell(tr *targetResult) (string, bool) {
	if tr.Binary == nil {
		return "", false
	}
	kind := "static"
	if !tr.Binary.Static {
		kind = "dynamic"
	}
	return fmt.Sprintf("%.2f MiB, %s", float64(tr.Binary.Bytes)/(1<<20), kind), true
}

func idleCell(show func(*idleResult) string) func(*targetResult) (string, bool) {
	return func(tr *targetResult) (string, bool) {
		if tr.Idle == nil {
			return "", false
		}
		return show(tr.Idle), true
	}
}

// reapCPUFigure is the init's CPU per orphan, its target factor times the
// best C init's; with linearTo, also at most 1.3 times goinit's own figure
// at linearTo orphans.
func reapCPUFigure(mode reapMode, n int, target string, factor float64, linearTo int) figure {
	perOrphan := func(mode reapMode, n int) func(*targetResult) (float64, bool) {
		return func(tr *targetResult) (float64, bool) {
			if r := reaping(tr, mode, n); r != nil {
				return r.CPUPerOrphanUs, true
			}
			return 0, false
		}
	}
	return figure{
		fmt.Sprintf("reaping %s orphans %s: init CPU per orphan (the rounds' range)", thousands(int64(n)), mode.Name), target,
		reapCell(mode, n, func(r *reapResult) string {
			lo, hi := slices.Min(r.CPUNs), slices.Max(r.CPUNs)
			return fmt.Sprintf("%.1f µs (%.1f–%.1f)", r.CPUPerOrphanUs, micros(lo)/float64(n), micros(hi)/float64(n))
		}),
		func(tr *targetResult, r *results) bool {
			v, ok := perOrphan(mode, n)(tr)
			best, found := bestC(r, perOrphan(mode, n))
			meets := within(v, ok, best, found, factor)
			if linearTo > 0 {
				at, atOK := perOrphan(mode, linearTo)(tr)
				meets = meets && within(v, ok, at, atOK, 1.3)
			}
			return meets
		},
	}
}

func reapUntilFigure(mode reapMode, n int) figure {
	until := func(tr *targetResult) (int64, bool) {
		if r := reaping(tr, mode, n); r != nil {
			return int64(r.UntilNone), true
		}
		return 0, false
	}
	return figure{
		fmt.Sprintf("reaping %s orphans %s: until none is left", thousands(int64(n)), mode.Name), "≤ 1.2 × the best C init's",
		reapCell(mode, n, func(r *reapResult) string { return msec(r.UntilNone) }),
		func(tr *targetResult, r *results) bool {
			v, ok := until(tr)
			best, found := bestC(r, until)
			return within(v, ok, best, found, 1.2)
		},
	}
}

func reaping(tr *targetResult, mode reapMode, orphans int) *reapResult {
	for _, r := range tr.Reaping {
		if r.Mode == mode.Name && r.Orphans == orphans {
			return r
		}
	}
	return nil
}

func reapCell(mode reapMode, orphans int, show func(*reapResult) string) func(*targetResult) (string, bool) {
	return func(tr *targetResult) (string, bool) {
		r := reaping(tr, mode, orphans)
		if r == nil {
			return "", false
		}
		return show(r), true
	}
}

func signalCell(show func(*signalResult) string) func(*targetResult) (string, bool) {
	return func(tr *targetResult) (string, bool) {
		if tr.Signals == nil || tr.Name == "direct" {
			return "", false
		}
		return show(tr.Signals), true
	}
}

func stormCell(tr *targetResult) (string, bool) {
	if tr.Storm == nil {
		return "", false
	}
	survived := "yes"
	if !tr.Storm.Survived {
		survived = "**no**"
	}
	return fmt.Sprintf("%s; %d", survived, tr.Storm.ExitCode), true
}

func spuriousCell(tr *targetResult) (string, bool) {
	if tr.Signals == nil && tr.Idle == nil {
		return "", false
	}
	n := tr.spuriousTotal()
	if n == 0 {
		return "0", true
	}
	var where []string
	for phase, c := range tr.Spurious {
		where = append(where, fmt.Sprintf("%s %d", phase, c))
	}
	return fmt.Sprintf("**%d** (%s)", n, strings.Join(where, ", ")), true
}

// markdown is the whole generated report.
func markdown(r *results) string {
	var b strings.Builder
	kind := "full run"
	if r.Config.Plan.Quick {
		kind = "quick run (smoke test: rough figures)"
	}
	fmt.Fprintf(&b, "## Results of %s, %s\n\n", r.Machine.Date, kind)
	writeMachine(&b, r)
	writeSummary(&b, r)
	writeScale(&b, r)
	writeStartupCost(&b, r)
	writeProfile(&b, r)
	writeFailures(&b, r)
	return b.String()
}

func writeMachine(b *strings.Builder, r *results) {
	m := r.Machine
	fmt.Fprintf(b, "Machine: %s, %d cores, %.1f GiB", m.CPU, m.Cores, float64(m.MemoryKiB)/(1<<20))
	if m.Virtual != "" && m.Virtual != "none" {
		fmt.Fprintf(b, " (%s)", m.Virtual)
	}
	fmt.Fprintf(b, "; %s, kernel %s; %s, gcc %s, %s. The run took %.0f s.\n\n", m.OS, m.Kernel, m.Go, m.GCC, m.Valgrind, r.Config.Seconds)
	b.WriteString("Versions:")
	for i, t := range r.Targets {
		sep := ","
		if i == len(r.Targets)-1 {
			sep = "."
		}
		fmt.Fprintf(b, " %s %s%s", t.Name, t.Version, sep)
	}
	b.WriteString("\n\n")
	for _, m := range r.Missing {
		fmt.Fprintf(b, "Not measured: %s.\n\n", m)
	}
}

func writeSummary(b *strings.Builder, r *results) {
	b.WriteString("| figure | goinit's target |")
	for _, t := range r.Targets {
		fmt.Fprintf(b, " %s |", t.Name)
	}
	b.WriteString("\n|---|---|")
	b.WriteString(strings.Repeat("---|", len(r.Targets)))
	b.WriteString("\n")
	for _, f := range figures(r.Config.Plan) {
		fmt.Fprintf(b, "| %s | %s |", f.name, orDash(f.target))
		for _, tr := range r.Targets {
			v, ok := f.value(tr)
			if !ok {
				b.WriteString(" — |")
				continue
			}
			if tr.Name == "goinit" && f.meets != nil {
				v = "**" + v + "** " + mark(f.meets(tr, r))
			}
			fmt.Fprintf(b, " %s |", v)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n✅ meets the target, ❌ misses it. Ratios are to \"direct\", the workload run as PID 1 with no init, in the same run.\n\n")
}

// writeScale gives the absolute medians behind the ratios, for scale only.
func writeScale(b *strings.Builder, r *results) {
	d := r.byName["direct"]
	if d == nil {
		return
	}
	var parts []string
	if d.Startup != nil {
		parts = append(parts, fmt.Sprintf("`true` as PID 1 of a new PID namespace took %s (median)", usec(d.Startup.Median)))
	}
	if d.Signals != nil {
		parts = append(parts, fmt.Sprintf("a signal round trip straight to the workload %s p50, %s p99", usec(d.Signals.P50), usec(d.Signals.P99)))
	}
	if g := r.byName["goinit"]; g != nil && g.Startup != nil && g.Signals != nil {
		parts = append(parts, fmt.Sprintf("`goinit true` took %s, and a round trip through goinit %s p50", usec(g.Startup.Median), usec(g.Signals.P50)))
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, "For scale, in this run: %s.\n\n", strings.Join(parts, "; "))
	}
}

// writeStartupCost shows what start-up costs besides instructions: on a
// virtual machine page faults, thread creation and context switches cost
// far more than the code that is run.
func writeStartupCost(b *strings.Builder, r *results) {
	b.WriteString("### What `INIT true` costs, per run (medians; `true` included, \"direct\" is `true` alone)\n\n")
	b.WriteString("| target | wall ÷ direct | CPU time (user + kernel) | minor page faults | context switches | instructions (init only) |\n|---|---:|---:|---:|---:|---:|\n")
	for _, t := range r.Targets {
		s := t.Startup
		if s == nil {
			continue
		}
		instr := "—"
		if t.Instructions != nil {
			instr = thousands(t.Instructions.Median)
		}
		rat := "1"
		if s.Ratio > 0 {
			rat = ratio(s.Ratio)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %d | %d | %s |\n", t.Name, rat, usec(s.CPU), s.MinorFaults, s.Switches, instr)
	}
	b.WriteString("\n")
}

func writeProfile(b *strings.Builder, r *results) {
	p := r.Profile
	if p == nil {
		return
	}
	fmt.Fprintf(b, "### Where goinit's start-up instructions go\n\n")
	fmt.Fprintf(b, "cachegrind, one run of each (the median one): goinit `-- true` executed %s instructions, the empty Go program %s; %s are goinit's own.\n\n",
		thousands(p.Total), thousands(p.FloorTotal), thousands(p.Total-p.FloorTotal))
	writeProfileTable(b, "package", p.ByPackage, 12)
	writeProfileTable(b, "function", p.ByFunction, topFunctions)
}

func writeProfileTable(b *strings.Builder, what string, rows []profileRow, limit int) {
	fmt.Fprintf(b, "| %s | goinit | empty Go main | goinit's own |\n|---|---:|---:|---:|\n", what)
	for i, row := range rows {
		if i == limit {
			break
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", row.Name, thousands(row.Goinit), thousands(row.Floor), thousands(row.Extra()))
	}
	b.WriteString("\n")
}

func writeFailures(b *strings.Builder, r *results) {
	var lines []string
	for _, t := range r.Targets {
		for _, f := range t.Failures {
			lines = append(lines, fmt.Sprintf("- %s: %s", t.Name, f))
		}
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("### What went wrong while measuring\n\n")
	b.WriteString(strings.Join(lines, "\n"))
	b.WriteString("\n\n")
}

func mark(ok bool) string {
	if ok {
		return "✅"
	}
	return "❌"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func ratio(x float64) string { return fmt.Sprintf("%.2f×", x) }

func kib(n int64) string {
	if n >= 2048 {
		return fmt.Sprintf("%.2f MiB", float64(n)/1024)
	}
	return fmt.Sprintf("%d KiB", n)
}

func usec(d time.Duration) string { return fmt.Sprintf("%.0f µs", micros(d)) }

func msec(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// thousands formats n with commas: 12,345.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
