package main

import (
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOptionsFromCommandLineAndEnvironment(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  []string
		want options
	}{
		{"no command is pause mode", nil, nil, options{grace: defaultGrace}},
		{"command after --", []string{"-c", "--", "sh", "-c", "x"}, nil, options{grace: defaultGrace, singleChild: true, command: []string{"sh", "-c", "x"}}},
		{"dumb-init style, no --", []string{"-v", "sh", "-c", "-v"}, nil, options{grace: defaultGrace, verbosity: 1, command: []string{"sh", "-c", "-v"}}},
		{"repeated -v", []string{"-vvv", "true"}, nil, options{grace: defaultGrace, verbosity: 3, command: []string{"true"}}},
		{"-g undoes nothing by default", []string{"-g", "true"}, nil, options{grace: defaultGrace, command: []string{"true"}}},
		{"env sets long options", []string{"true"}, []string{"GOINIT_SINGLE_CHILD=1", "GOINIT_SUBREAPER=true", "GOINIT_VERBOSE=2"},
			options{grace: defaultGrace, singleChild: true, subreaper: true, verbosity: 2, command: []string{"true"}}},
		{"command line beats env", []string{"--verbose=0", "--subreaper=false", "true"}, []string{"GOINIT_VERBOSE=2", "GOINIT_SUBREAPER=1"},
			options{grace: defaultGrace, command: []string{"true"}}},
		{"-g on the command line beats env single-child", []string{"-g", "true"}, []string{"GOINIT_SINGLE_CHILD=1"}, options{grace: defaultGrace, command: []string{"true"}}},
		{"-c on the command line beats env process-group", []string{"-c", "true"}, []string{"GOINIT_PROCESS_GROUP=1"}, options{grace: defaultGrace, singleChild: true, command: []string{"true"}}},
		{"empty env is unset", []string{"true"}, []string{"GOINIT_VERBOSE="}, options{grace: defaultGrace, command: []string{"true"}}},
		{"first definition wins, as getenv", []string{"true"}, []string{"GOINIT_VERBOSE=1", "GOINIT_VERBOSE=x"}, options{grace: defaultGrace, verbosity: 1, command: []string{"true"}}},
		{"help", []string{"-h", "-c"}, nil, options{help: true, grace: defaultGrace}},
		{"license", []string{"-l"}, nil, options{license: true, grace: defaultGrace}},
		{"tini's variables", []string{"x"}, []string{"TINI_SUBREAPER=", "TINI_VERBOSITY=3", "TINI_KILL_PROCESS_GROUP=1"},
			options{grace: defaultGrace, subreaper: true, verbosity: 2, command: []string{"x"}}},
		{"TINI_VERBOSITY=1 is tini's quiet default", []string{"x"}, []string{"TINI_VERBOSITY=1"}, options{grace: defaultGrace, command: []string{"x"}}},
		{"dumb-init's variables", []string{"x"}, []string{"DUMB_INIT_SETSID=0", "DUMB_INIT_DEBUG=1"},
			options{grace: defaultGrace, singleChild: true, verbosity: 1, command: []string{"x"}}},
		{"DUMB_INIT_SETSID other than 0 keeps the group", []string{"x"}, []string{"DUMB_INIT_SETSID=1", "DUMB_INIT_DEBUG=yes"},
			options{grace: defaultGrace, command: []string{"x"}}},
		{"GOINIT_ beats the peers' variables", []string{"x"}, []string{"TINI_VERBOSITY=4", "GOINIT_VERBOSE=1", "DUMB_INIT_SETSID=0", "GOINIT_SINGLE_CHILD=0"},
			options{grace: defaultGrace, verbosity: 1, command: []string{"x"}}},
		{"the command line beats the peers' variables", []string{"-g", "--subreaper=false", "x"}, []string{"DUMB_INIT_SETSID=0", "TINI_SUBREAPER=1"},
			options{grace: defaultGrace, command: []string{"x"}}},
		{"remap and warn", []string{"-e", "143", "-e130,2", "-w", "x"}, nil,
			options{grace: defaultGrace, remapExit: []int{143, 130, 2}, warnOnReap: true, command: []string{"x"}}},
		{"remap from the environment", []string{"x"}, []string{"GOINIT_REMAP_EXIT=143,130", "GOINIT_WARN_ON_REAP=1"},
			options{grace: defaultGrace, remapExit: []int{143, 130}, warnOnReap: true, command: []string{"x"}}},
		{"shutdown options", []string{"--grace=1m", "--wait-all", "--stop-delay", "2.5", "-p", "sigusr1", "x"}, nil,
			options{grace: time.Minute, waitAll: true, stopDelay: 2500 * time.Millisecond, pdeathsig: syscall.SIGUSR1, command: []string{"x"}}},
		{"grace 0", []string{"--grace", "0", "x"}, nil, options{command: []string{"x"}}},
		{"shutdown options from env", []string{"x"}, []string{"GOINIT_GRACE=30", "GOINIT_WAIT_ALL=1", "GOINIT_STOP_DELAY=10s", "GOINIT_PDEATHSIG=HUP"},
			options{grace: 30 * time.Second, waitAll: true, stopDelay: 10 * time.Second, pdeathsig: syscall.SIGHUP, command: []string{"x"}}},
		{"version", []string{"--version"}, nil, options{grace: defaultGrace, version: true}},
		{"a cluster ending in an option with its value", []string{"-cwe143", "x"}, nil,
			options{grace: defaultGrace, singleChild: true, warnOnReap: true, remapExit: []int{143}, command: []string{"x"}}},
		{"a cluster whose last option takes the next word", []string{"-vp", "HUP", "x"}, nil,
			options{grace: defaultGrace, verbosity: 1, pdeathsig: syscall.SIGHUP, command: []string{"x"}}},
		{"long option with its value in the next word", []string{"--remap-exit", "3", "--verbose", "x"}, nil,
			options{grace: defaultGrace, remapExit: []int{3}, verbosity: 1, command: []string{"x"}}},
		{"a value that looks like an option", []string{"-e", "-0", "--", "x"}, nil,
			options{grace: defaultGrace, remapExit: []int{0}, command: []string{"x"}}},
		{"a lone - is the command", []string{"-c", "-", "-v"}, nil,
			options{grace: defaultGrace, singleChild: true, command: []string{"-", "-v"}}},
		{"options end at the first word that is not one", []string{"x", "--grace", "1"}, nil,
			options{grace: defaultGrace, command: []string{"x", "--grace", "1"}}},
	}
	for _, c := range cases {
		got, err := parseOptions(c.args, c.env)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
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
		_, err := parseOptions(c.args, c.env)
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
		o, err := parseOptions(args, []string{env})
		if err == nil && o.verbosity < 0 {
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
