package main

import (
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"goinit/supervisor"
)

// want is what parseOptions should return.
type want struct {
	cfg supervisor.Config
	act action
}

func TestOptionsFromCommandLineAndEnvironment(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  []string
		want want
	}{
		{"no command is pause mode", nil, nil, want{supervisor.Config{Grace: defaultGrace}, runCommand}},
		{"command after --", []string{"-c", "--", "sh", "-c", "x"}, nil, want{supervisor.Config{Grace: defaultGrace, SingleChild: true, Command: []string{"sh", "-c", "x"}}, runCommand}},
		{"dumb-init style, no --", []string{"-v", "sh", "-c", "-v"}, nil, want{supervisor.Config{Grace: defaultGrace, Verbosity: 1, Command: []string{"sh", "-c", "-v"}}, runCommand}},
		{"repeated -v", []string{"-vvv", "true"}, nil, want{supervisor.Config{Grace: defaultGrace, Verbosity: 3, Command: []string{"true"}}, runCommand}},
		{"-g undoes nothing by default", []string{"-g", "true"}, nil, want{supervisor.Config{Grace: defaultGrace, Command: []string{"true"}}, runCommand}},
		{"env sets long options", []string{"true"}, []string{"GOINIT_SINGLE_CHILD=1", "GOINIT_SUBREAPER=true", "GOINIT_VERBOSE=2"},
			want{supervisor.Config{Grace: defaultGrace, SingleChild: true, Subreaper: true, Verbosity: 2, Command: []string{"true"}}, runCommand}},
		{"command line beats env", []string{"--verbose=0", "--subreaper=false", "true"}, []string{"GOINIT_VERBOSE=2", "GOINIT_SUBREAPER=1"},
			want{supervisor.Config{Grace: defaultGrace, Command: []string{"true"}}, runCommand}},
		{"-g on the command line beats env single-child", []string{"-g", "true"}, []string{"GOINIT_SINGLE_CHILD=1"}, want{supervisor.Config{Grace: defaultGrace, Command: []string{"true"}}, runCommand}},
		{"-c on the command line beats env process-group", []string{"-c", "true"}, []string{"GOINIT_PROCESS_GROUP=1"}, want{supervisor.Config{Grace: defaultGrace, SingleChild: true, Command: []string{"true"}}, runCommand}},
		{"empty env is unset", []string{"true"}, []string{"GOINIT_VERBOSE="}, want{supervisor.Config{Grace: defaultGrace, Command: []string{"true"}}, runCommand}},
		{"first definition wins, as getenv", []string{"true"}, []string{"GOINIT_VERBOSE=1", "GOINIT_VERBOSE=x"}, want{supervisor.Config{Grace: defaultGrace, Verbosity: 1, Command: []string{"true"}}, runCommand}},
		{"help", []string{"-h", "-c"}, nil, want{supervisor.Config{Grace: defaultGrace}, showHelp}},
		{"license", []string{"-l"}, nil, want{supervisor.Config{Grace: defaultGrace}, showLicense}},
		{"tini's variables", []string{"x"}, []string{"TINI_SUBREAPER=", "TINI_VERBOSITY=3", "TINI_KILL_PROCESS_GROUP=1"},
			want{supervisor.Config{Grace: defaultGrace, Subreaper: true, Verbosity: 2, Command: []string{"x"}}, runCommand}},
		{"TINI_VERBOSITY=1 is tini's quiet default", []string{"x"}, []string{"TINI_VERBOSITY=1"}, want{supervisor.Config{Grace: defaultGrace, Command: []string{"x"}}, runCommand}},
		{"dumb-init's variables", []string{"x"}, []string{"DUMB_INIT_SETSID=0", "DUMB_INIT_DEBUG=1"},
			want{supervisor.Config{Grace: defaultGrace, SingleChild: true, Verbosity: 1, Command: []string{"x"}}, runCommand}},
		{"DUMB_INIT_SETSID other than 0 keeps the group", []string{"x"}, []string{"DUMB_INIT_SETSID=1", "DUMB_INIT_DEBUG=yes"},
			want{supervisor.Config{Grace: defaultGrace, Command: []string{"x"}}, runCommand}},
		{"GOINIT_ beats the peers' variables", []string{"x"}, []string{"TINI_VERBOSITY=4", "GOINIT_VERBOSE=1", "DUMB_INIT_SETSID=0", "GOINIT_SINGLE_CHILD=0"},
			want{supervisor.Config{Grace: defaultGrace, Verbosity: 1, Command: []string{"x"}}, runCommand}},
		{"the command line beats the peers' variables", []string{"-g", "--subreaper=false", "x"}, []string{"DUMB_INIT_SETSID=0", "TINI_SUBREAPER=1"},
			want{supervisor.Config{Grace: defaultGrace, Command: []string{"x"}}, runCommand}},
		{"remap and warn", []string{"-e", "143", "-e130,2", "-w", "x"}, nil,
			want{supervisor.Config{Grace: defaultGrace, RemapExit: []int{143, 130, 2}, WarnOnReap: true, Command: []string{"x"}}, runCommand}},
		{"remap from the environment", []string{"x"}, []string{"GOINIT_REMAP_EXIT=143,130", "GOINIT_WARN_ON_REAP=1"},
			want{supervisor.Config{Grace: defaultGrace, RemapExit: []int{143, 130}, WarnOnReap: true, Command: []string{"x"}}, runCommand}},
		{"shutdown options", []string{"--grace=1m", "--wait-all", "--stop-delay", "2.5", "-p", "sigusr1", "x"}, nil,
			want{supervisor.Config{Grace: time.Minute, WaitAll: true, StopDelay: 2500 * time.Millisecond, Pdeathsig: syscall.SIGUSR1, Command: []string{"x"}}, runCommand}},
		{"grace 0", []string{"--grace", "0", "x"}, nil, want{supervisor.Config{Command: []string{"x"}}, runCommand}},
		{"shutdown options from env", []string{"x"}, []string{"GOINIT_GRACE=30", "GOINIT_WAIT_ALL=1", "GOINIT_STOP_DELAY=10s", "GOINIT_PDEATHSIG=HUP"},
			want{supervisor.Config{Grace: 30 * time.Second, WaitAll: true, StopDelay: 10 * time.Second, Pdeathsig: syscall.SIGHUP, Command: []string{"x"}}, runCommand}},
		{"version", []string{"--version"}, nil, want{supervisor.Config{Grace: defaultGrace}, showVersion}},
		{"a cluster ending in an option with its value", []string{"-cwe143", "x"}, nil,
			want{supervisor.Config{Grace: defaultGrace, SingleChild: true, WarnOnReap: true, RemapExit: []int{143}, Command: []string{"x"}}, runCommand}},
		{"a cluster whose last option takes the next word", []string{"-vp", "HUP", "x"}, nil,
			want{supervisor.Config{Grace: defaultGrace, Verbosity: 1, Pdeathsig: syscall.SIGHUP, Command: []string{"x"}}, runCommand}},
		{"long option with its value in the next word", []string{"--remap-exit", "3", "--verbose", "x"}, nil,
			want{supervisor.Config{Grace: defaultGrace, RemapExit: []int{3}, Verbosity: 1, Command: []string{"x"}}, runCommand}},
		{"a value that looks like an option", []string{"-e", "-0", "--", "x"}, nil,
			want{supervisor.Config{Grace: defaultGrace, RemapExit: []int{0}, Command: []string{"x"}}, runCommand}},
		{"a lone - is the command", []string{"-c", "-", "-v"}, nil,
			want{supervisor.Config{Grace: defaultGrace, SingleChild: true, Command: []string{"-", "-v"}}, runCommand}},
		{"options end at the first word that is not one", []string{"x", "--grace", "1"}, nil,
			want{supervisor.Config{Grace: defaultGrace, Command: []string{"x", "--grace", "1"}}, runCommand}},
	}
	for _, c := range cases {
		cfg, act, err := parseOptions(c.args, c.env)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if act == runCommand && !reflect.DeepEqual(cfg.Env, c.env) {
			t.Errorf("%s: the command's environment is %q, want goinit's, %q", c.name, cfg.Env, c.env)
		}
		cfg.Env = nil
		if act != runCommand {
			cfg = supervisor.Config{Grace: defaultGrace} // the rest is not read
		}
		if got := (want{cfg, act}); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestBadOptionsAreErrorsNamingTheProblem(t *testing.T) {
	cases := []struct {
		args    []string
		env     []string
		mention string
	}{
		{[]string{"--bogus"}, nil, "--bogus"},
		{[]string{"-Z"}, nil, "'Z'"},
		{[]string{"-cZ"}, nil, "'Z' in -cZ"},
		{[]string{"--grace"}, nil, "--grace needs a value"},
		{[]string{"-c", "-e"}, nil, "-e needs a value"},
		{[]string{"---x"}, nil, "---x"},
		{[]string{"-test.v", "x"}, nil, `"-test.v"`},
		{[]string{"-ctest.run=x", "x"}, nil, `"-ctest.run=x"`},
		{[]string{"-v", "-test.count=1", "--", "x"}, nil, `"-test.count=1"`},
		{[]string{"--help=maybe"}, nil, "help"},
		{[]string{"--verbose=x"}, nil, "verbose"},
		{[]string{"--verbose=-1"}, nil, "verbose"},
		{[]string{"--verbose=10"}, nil, "verbose"},
		{[]string{"--single-child=2"}, nil, "single-child"},
		{[]string{"-c", "-g"}, nil, "contradict"},
		{[]string{"--grace=-1s"}, nil, "grace"},
		{[]string{"--grace="}, nil, "grace"},
		{[]string{"--grace=forever"}, nil, "grace"},
		{[]string{"--grace=25h"}, nil, "grace"},
		{[]string{"--grace=1e99"}, nil, "grace"},
		{[]string{"--grace=NaN"}, nil, "grace"},
		{[]string{"--stop-delay=-5"}, nil, "stop-delay"},
		{[]string{"-p", "KILL"}, nil, "cannot be caught"},
		{[]string{"-p", "NOPE"}, nil, "NOPE"},
		{[]string{"-p", "0"}, nil, "out of range"},
		{nil, []string{"GOINIT_GRACE=soon"}, "GOINIT_GRACE"},
		{nil, []string{"GOINIT_PDEATHSIG=STOP"}, "GOINIT_PDEATHSIG"},
		{[]string{"-e", "256"}, nil, "256"},
		{[]string{"-e", "-1"}, nil, "-1"},
		{[]string{"-e", "1,x"}, nil, `"x"`},
		{[]string{"-e", ""}, nil, "exit code"},
		{[]string{"-r", "TERM"}, nil, `"TERM"`},
		{[]string{"-r", "KILL:TERM"}, nil, "never receives"},
		{[]string{"-r", "15:99"}, nil, "15:99"},
		{nil, []string{"GOINIT_REWRITE=15:10,bad"}, "GOINIT_REWRITE"},
		{nil, []string{"GOINIT_REMAP_EXIT=300"}, "GOINIT_REMAP_EXIT"},
		{nil, []string{"TINI_VERBOSITY=loud"}, "TINI_VERBOSITY"},
		{nil, []string{"DUMB_INIT_SETSID=0", "TINI_KILL_PROCESS_GROUP=1"}, "contradict"},
		{nil, []string{"GOINIT_SUBREAPER=yes please"}, "GOINIT_SUBREAPER"},
		{nil, []string{"GOINIT_SINGLE_CHILD=1", "GOINIT_PROCESS_GROUP=1"}, "contradict"},
	}
	for _, c := range cases {
		_, _, err := parseOptions(c.args, c.env)
		if err == nil || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%v %v: error %v, want one mentioning %q", c.args, c.env, err, c.mention)
		}
	}
}

func FuzzParseOptionsNeverPanics(f *testing.F) {
	for _, seed := range []string{"-c", "--verbose=3", "-vvv", "--", "-g\x00-c", "--subreaper=\xff", "-", "---x"} {
		f.Add(seed, "GOINIT_VERBOSE=1")
	}
	f.Fuzz(func(t *testing.T, arg, env string) {
		args := strings.Split(arg, "\x00")
		cfg, _, err := parseOptions(args, []string{env})
		if err == nil && cfg.Verbosity < 0 {
			t.Errorf("negative verbosity from %q", args)
		}
	})
}

func FuzzDurationStaysWithinBounds(f *testing.F) {
	for _, seed := range []string{"5s", "0", "2.5", "1m30s", "-1s", "24h", "24h0m1s", "1e999", "NaN", "Inf", "", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d duration
		if d.Set(s) == nil && (d < 0 || time.Duration(d) > maxDuration) {
			t.Errorf("%q gave %v", s, time.Duration(d))
		}
	})
}

func FuzzExitCodesStayWithin0To255(f *testing.F) {
	for _, seed := range []string{"143", "0,255", "130,143,2", "256", "-1", "", ",", "1,,2", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var e exitCodes
		if e.Set(s) != nil {
			return
		}
		for _, code := range e {
			if code < 0 || code > 255 {
				t.Errorf("%q gave %d", s, code)
			}
		}
	})
}

func TestOnlyGoinitVariablesThatNameNoOptionAreUnknown(t *testing.T) {
	env := []string{"GOINIT_GRACEE=5s", "GOINIT_GRACE=5s", "GOINIT_SINGLE_CHILD=1", "GOINIT_PROCESS_GROUP=0",
		"GOINIT_VERBOSE=1", "GOINIT_GRACEE=6s", "GOINIT_HELP=1", "GOINIT", "GOINITX=1", "TINI_SUBREAPER=1", "PATH=/bin"}
	if got, want := unknownVariables(env), []string{"GOINIT_GRACEE", "GOINIT_HELP"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unknown variables %q, want %q", got, want)
	}
}

func TestEveryOptionButTheActionsHasItsVariable(t *testing.T) {
	flags := map[string]bool{}
	newCommandLine().flags.VisitAll(func(f *pflag.Flag) {
		flags[f.Name] = true
		actions := []string{"help", "version", "license"}
		if want := "GOINIT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")); envName(f.Name) != want && !slices.Contains(actions, f.Name) {
			t.Errorf("--%s: variable %q, want %s", f.Name, envName(f.Name), want)
		}
	})
	for _, v := range variables {
		if !flags[v.option] {
			t.Errorf("%s names no option (%s)", v.name, v.option)
		}
	}
}
