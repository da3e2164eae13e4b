package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBadUsageGivesOneLineAndExit2AndStartsNothing(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "started")
	command := []string{"touch", marker}
	cases := []struct {
		name string
		args []string
		env  []string
	}{
		{"unknown long option", []string{"--no-such-option"}, nil},
		{"unknown short option", []string{"-x"}, nil},
		{"bad verbosity", []string{"--verbose=lots"}, nil},
		{"negative verbosity", []string{"--verbose=-1"}, nil},
		{"bad boolean", []string{"--single-child=maybe"}, nil},
		{"value for a flag without one", []string{"--subreaper=\xff\xfe"}, nil},
		{"contradictory targets", []string{"-c", "-g"}, nil},
		{"bad environment boolean", nil, []string{"GOINIT_SUBREAPER=maybe"}},
		{"bad environment verbosity", nil, []string{"GOINIT_VERBOSE=\xff"}},
		{"contradictory environment", nil, []string{"GOINIT_SINGLE_CHILD=1", "GOINIT_PROCESS_GROUP=1"}},
		{"newline in a value", []string{"--verbose=1\n2"}, nil},
	}
	for _, c := range cases {
		cmd := exec.Command(goinitBin, append(append(c.args, "--"), command...)...)
		cmd.Env = append(os.Environ(), c.env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if code := exitCodeOf(err); code != 2 {
			t.Errorf("%s: exit %d, want 2", c.name, code)
		}
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "goinit: ") || !strings.Contains(lines[0], "--help") {
			t.Errorf("%s: stderr %q, want one 'goinit: ...' line with a hint to --help", c.name, stderr.String())
		}
		if len(out) != 0 {
			t.Errorf("%s: stdout %q, want nothing", c.name, out)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%s: the command was started", c.name)
		}
	}
}

func TestVersionIsTheFormatDockerParses(t *testing.T) {
	for _, flag := range []string{"--version", "-V"} {
		out, err := exec.Command(goinitBin, flag).Output()
		if err != nil {
			t.Fatalf("%s: %v", flag, err)
		}
		if !regexp.MustCompile(`^goinit version \d+\.\d+\.\d+\S* - git\.[0-9a-f]+\S*\n$`).Match(out) {
			t.Errorf("%s printed %q", flag, out)
		}
	}
}

func TestHelpGoesToStdoutAndExits0(t *testing.T) {
	for _, flag := range []string{"--help", "-h"} {
		out, err := exec.Command(goinitBin, flag).Output()
		if err != nil || !strings.HasPrefix(string(out), "Usage: goinit") {
			t.Errorf("%s: %v, stdout %q", flag, err, out)
		}
		for _, option := range []string{"--single-child", "--process-group", "--subreaper", "--verbose", "--version", "--help"} {
			if !strings.Contains(string(out), option) {
				t.Errorf("%s does not mention %s", flag, option)
			}
		}
	}
}

func TestOptionsComeFromTheEnvironmentUnlessGivenOnTheCommandLine(t *testing.T) {
	run := func(env []string, args ...string) string {
		cmd := exec.Command(goinitBin, append(args, "--", "true")...)
		cmd.Env = append(os.Environ(), env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v %v: %v (%s)", env, args, err, stderr.String())
		}
		return stderr.String()
	}
	if !strings.Contains(run([]string{"GOINIT_VERBOSE=1"}), "started") {
		t.Error("GOINIT_VERBOSE=1 did not make goinit verbose")
	}
	if out := run([]string{"GOINIT_VERBOSE=1"}, "--verbose=0"); out != "" {
		t.Errorf("--verbose=0 on the command line did not beat GOINIT_VERBOSE=1: %q", out)
	}
	if out := run([]string{"GOINIT_VERBOSE="}); out != "" {
		t.Errorf("an empty GOINIT_VERBOSE is unset, but goinit logged %q", out)
	}
}

func TestSingleChildFromTheEnvironment(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		if got := whoGetsSignals(t, m, goinitBin, nil, []string{"GOINIT_SINGLE_CHILD=1"}); got != "child" {
			t.Errorf("with GOINIT_SINGLE_CHILD=1 signals reached the %s, want the child alone", got)
		}
		if got := whoGetsSignals(t, m, goinitBin, []string{"-g"}, []string{"GOINIT_SINGLE_CHILD=1"}); got != "group" {
			t.Errorf("-g on the command line did not beat GOINIT_SINGLE_CHILD=1: signals reached the %s", got)
		}
	})
}

func TestHostileInputGivesOneLineAndExit2AndNeverPanics(t *testing.T) {
	huge := strings.Repeat("9", 200)
	bad := []string{"", huge, "-5", "abc", "\xff\xfe", "1e999", "0x10", " 1", "1\n"}
	withValue := []string{"--rewrite", "-r", "--remap-exit", "-e", "--grace", "--stop-delay", "--pdeathsig", "-p"}
	boolean := []string{"--single-child", "--process-group", "--subreaper", "--wait-all", "--warn-on-reap", "--help", "--version", "--license"}
	var cases [][]string
	for _, opt := range withValue {
		for _, v := range bad {
			cases = append(cases, []string{opt, v}, []string{opt + "=" + v})
		}
	}
	for _, v := range bad {
		cases = append(cases, []string{"--verbose=" + v})
	}
	for _, opt := range boolean {
		for _, v := range []string{"", "maybe", huge, "\xff"} {
			cases = append(cases, []string{opt + "=" + v})
		}
	}
	cases = append(cases,
		[]string{"--" + huge}, []string{"-" + huge}, []string{"--no-such-option"}, []string{"-Z"}, []string{"---"},
		[]string{"--grace", "--"}, []string{"-p", "--"}, []string{"-e"}, []string{"--rewrite"}, []string{"-c", "-g"},
	)
	envCases := []string{"GOINIT_SUBREAPER", "GOINIT_WAIT_ALL", "GOINIT_WARN_ON_REAP", "GOINIT_SINGLE_CHILD", "GOINIT_PROCESS_GROUP",
		"GOINIT_VERBOSE", "GOINIT_GRACE", "GOINIT_STOP_DELAY", "GOINIT_PDEATHSIG", "GOINIT_REWRITE", "GOINIT_REMAP_EXIT", "TINI_VERBOSITY"}

	dir := t.TempDir()
	marker := dir + "/started"
	check := func(args, env []string) {
		t.Helper()
		cmd := exec.Command(goinitBin, append(args, "--", "touch", marker)...)
		cmd.Env = append(os.Environ(), env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if code := exitCodeOf(err); code != 2 || len(out) != 0 || len(lines) != 1 ||
			!strings.HasPrefix(lines[0], "goinit: ") || !strings.Contains(lines[0], "--help") {
			t.Errorf("%q %q: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, env, exitCodeOf(err), out, stderr.String())
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%q %q: the command was started", args, env)
		}
	}
	for _, args := range cases {
		check(args, nil)
	}
	for _, name := range envCases {
		for _, v := range []string{huge, "-5", "abc", "\xff\xfe", "1e999"} {
			check(nil, []string{name + "=" + v})
		}
	}
}

func TestAMisspeltGoinitVariableGetsOneWarningLineNamingIt(t *testing.T) {
	cmd := exec.Command(goinitBin, "--", "true")
	cmd.Env = append(os.Environ(), "GOINIT_GRACEE=20s")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("goinit: %v; stderr %q", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "warning") || !strings.Contains(lines[0], "GOINIT_GRACEE") {
		t.Errorf("stderr %q, want one warning line naming GOINIT_GRACEE", stderr.String())
	}
}
