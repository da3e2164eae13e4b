package main

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"goinit/forward"
)

// options is goinit's configuration as the user gave it.
type options struct {
	singleChild bool
	subreaper   bool
	verbosity   int
	rewrite     forward.Rewrite
	remapExit   []int // exit codes turned into 0
	warnOnReap  bool
	grace       time.Duration
	waitAll     bool
	stopDelay   time.Duration
	pdeathsig   syscall.Signal
	help        bool
	version     bool
	license     bool
	command     []string // empty: pause mode
}

// defaultGrace is how long leftovers get between SIGTERM and SIGKILL.
const defaultGrace = 5 * time.Second

const usage = `Usage: goinit [OPTIONS] [--] COMMAND [ARG...]
       goinit [OPTIONS]            (no command: pause, reaping orphans)

Runs COMMAND as its child in a process group of its own, forwards every
signal it receives to that group, reaps every zombie, and exits with the
command's exit code (128+N when it was killed by signal N).

Options:
  -c, --single-child    forward signals to the child only, not its group
  -g, --process-group   forward signals to the child's process group
                        (the default; accepted for tini)
  -r, --rewrite FROM:TO forward signal FROM as signal TO (TO 0: drop it);
                        repeatable
  -e, --remap-exit CODE exit 0 when the command's exit code is CODE (0-255);
                        repeatable
  -s, --subreaper       register as child subreaper even as PID 1
                        (always done when not PID 1)
  -w, --warn-on-reap    warn for every reaped process that was not the child
      --grace DURATION  once the command has exited, give the processes it
                        left SIGTERM and this long before SIGKILL (default 5s;
                        0: SIGKILL at once)
      --wait-all        once the command has exited, wait for the processes
                        it left to exit on their own; SIGTERM or SIGINT then
                        starts the drain
      --stop-delay DURATION
                        hold a SIGTERM this long before forwarding it; a
                        second SIGTERM or a SIGINT forwards it at once
  -p, --pdeathsig SIGNAL
                        act as if sent SIGNAL when goinit's parent dies
  -v, --verbose         log more; repeat for more (-vv)
  -V, --version         print the version and exit
  -l, --license         print the license and exit
  -h, --help            print this help and exit

DURATION is a number of seconds or a Go duration (500ms, 1m30s); SIGNAL a
name (TERM, SIGTERM, rtmin+3) or a number. Every long option can also be
set in the environment as GOINIT_<NAME> (GOINIT_SINGLE_CHILD=1,
GOINIT_GRACE=10s, GOINIT_REMAP_EXIT=143,130...); the command line wins.
tini's and dumb-init's variables work too: TINI_SUBREAPER,
TINI_KILL_PROCESS_GROUP, TINI_VERBOSITY, DUMB_INIT_SETSID=0,
DUMB_INIT_DEBUG=1.

Exit codes: the command's own; 126 command found but not executable;
127 command not found; 1 goinit could not start it; 2 bad usage.
`

// envPrefix names the environment variables that set long options.
const envPrefix = "GOINIT_"

// fromEnvironment are the long options GOINIT_<NAME> can set. The actions
// (help, version, license) are command-line only; the target (single-child,
// process-group) is decided as a whole by chooseTarget.
var fromEnvironment = []string{"subreaper", "verbose", "rewrite", "remap-exit", "warn-on-reap", "grace", "wait-all", "stop-delay", "pdeathsig"}

// parseOptions reads the command line, then the environment for every long
// option the command line left unset: GOINIT_<NAME> first, then the
// variables tini and dumb-init read. Parsing stops at "--" or at the first
// word that is not an option, so the command's own options are never read.
func parseOptions(args, env []string) (options, error) {
	cl := commandLine{opts: options{grace: defaultGrace}}
	rest, err := cl.parse(args)
	if err != nil {
		return cl.opts, err
	}
	o := &cl.opts
	if o.help || o.version || o.license {
		return *o, nil
	}
	for _, name := range fromEnvironment {
		if !cl.given(name) {
			if err := cl.setFromEnv(name, env); err != nil {
				return *o, err
			}
		}
	}
	if err := cl.applyPeerEnvironment(env); err != nil {
		return *o, err
	}
	single, err := cl.chooseTarget(env)
	if err != nil {
		return *o, err
	}
	o.singleChild = single
	if len(rest) > 0 {
		o.command = rest
	}
	return *o, nil
}

// chooseTarget decides between the child alone and its process group from
// the first source that says anything: the command line, then GOINIT_*,
// then DUMB_INIT_SETSID=0 (the child alone) or TINI_KILL_PROCESS_GROUP (the
// group). A source asking for both is an error.
func (cl *commandLine) chooseTarget(env []string) (singleChild bool, err error) {
	if cl.given("single-child") || cl.given("process-group") {
		if cl.singleChild && cl.processGroup {
			return false, errors.New("-c/--single-child and -g/--process-group contradict each other")
		}
		return cl.singleChild, nil
	}
	single, singleSet, err := envBool(env, envName("single-child"))
	if err != nil {
		return false, err
	}
	group, groupSet, err := envBool(env, envName("process-group"))
	if err != nil {
		return false, err
	}
	if singleSet || groupSet {
		if single && group {
			return false, errors.New(envName("single-child") + " and " + envName("process-group") + " contradict each other")
		}
		return single, nil
	}
	setsid, _ := lookupEnv(env, "DUMB_INIT_SETSID")
	_, tiniGroup := lookupEnv(env, "TINI_KILL_PROCESS_GROUP")
	if setsid == "0" && tiniGroup {
		return false, errors.New("DUMB_INIT_SETSID=0 and TINI_KILL_PROCESS_GROUP contradict each other")
	}
	return setsid == "0", nil
}

// applyPeerEnvironment reads tini's and dumb-init's variables, with their
// meanings, for options nothing else has set: TINI_SUBREAPER (set: -s),
// TINI_VERBOSITY (tini's level N, where 1 is its default, is goinit's
// N-1) and DUMB_INIT_DEBUG=1 (-v).
func (cl *commandLine) applyPeerEnvironment(env []string) error {
	o := &cl.opts
	if !cl.isSet(env, "subreaper") {
		if _, ok := lookupEnv(env, "TINI_SUBREAPER"); ok {
			o.subreaper = true
		}
	}
	if cl.isSet(env, "verbose") {
		return nil
	}
	if v, ok := lookupEnv(env, "TINI_VERBOSITY"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10 {
			return errors.New("TINI_VERBOSITY: invalid value " + strconv.Quote(v) + ": want a level from 0 to 10")
		}
		o.verbosity = max(n-1, 0)
	}
	if v, _ := lookupEnv(env, "DUMB_INIT_DEBUG"); v == "1" {
		o.verbosity = max(o.verbosity, 1)
	}
	return nil
}

// isSet reports whether the command line or GOINIT_<NAME> set the option.
func (cl *commandLine) isSet(env []string, name string) bool {
	if cl.given(name) {
		return true
	}
	v, _ := lookupEnv(env, envName(name))
	return v != ""
}

// setFromEnv sets the option name from GOINIT_<NAME> when that is set and
// not empty.
func (cl *commandLine) setFromEnv(name string, env []string) error {
	key := envName(name)
	value, ok := lookupEnv(env, key)
	if !ok || value == "" {
		return nil
	}
	if err := lookupLong(name).set(cl, value); err != nil {
		return errors.New(key + ": invalid value " + strconv.Quote(value) + ": " + err.Error())
	}
	return nil
}

// envBool reads a boolean variable; unset or empty is not set.
func envBool(env []string, key string) (value, set bool, err error) {
	v, _ := lookupEnv(env, key)
	if v == "" {
		return false, false, nil
	}
	b, perr := strconv.ParseBool(v)
	if perr != nil {
		return false, false, errors.New(key + ": invalid value " + strconv.Quote(v) + ": want true or false")
	}
	return b, true, nil
}

// envName is GOINIT_ and the option's name in upper case, '-' as '_'.
func envName(option string) string {
	name := []byte(envPrefix + option)
	for i, c := range name {
		switch {
		case c == '-':
			name[i] = '_'
		case 'a' <= c && c <= 'z':
			name[i] = c - 'a' + 'A'
		}
	}
	return string(name)
}

// lookupEnv finds the first definition of key, as getenv does.
func lookupEnv(env []string, key string) (string, bool) {
	for _, kv := range env {
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			return kv[len(key)+1:], true
		}
	}
	return "", false
}

// verbosity counts -v flags; --verbose=N and GOINIT_VERBOSE=N set it.
type verbosity int

func (v *verbosity) Set(s string) error {
	if s == "+1" {
		*v++
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 9 {
		return errors.New("want a level from 0 to 9")
	}
	*v = verbosity(n)
	return nil
}

// maxDuration bounds --grace and --stop-delay: a longer wait is a mistake.
const maxDuration = 24 * time.Hour

// duration is a DURATION: seconds ("10", "2.5") or a Go duration ("500ms").
type duration time.Duration

func (d *duration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		secs, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || secs != secs { // NaN
			return errors.New("want seconds or a duration such as 500ms or 1m30s")
		}
		if secs > maxDuration.Seconds() || secs < 0 {
			return errors.New("must be between 0 and 24h")
		}
		v = time.Duration(secs * float64(time.Second))
	}
	if v < 0 || v > maxDuration {
		return errors.New("must be between 0 and 24h")
	}
	*d = duration(v)
	return nil
}

// deathSignal is the SIGNAL of --pdeathsig: one goinit can catch, or it
// would die of it without passing it on.
type deathSignal syscall.Signal

func (s *deathSignal) Set(v string) error {
	sig, err := forward.ParseSignal(v)
	if err != nil {
		return err
	}
	if sig == syscall.SIGKILL || sig == syscall.SIGSTOP || sig == 33 {
		return errors.New(forward.Name(sig) + " cannot be caught, so goinit could not pass it on")
	}
	*s = deathSignal(sig)
	return nil
}

// rewrites collects -r FROM:TO specs; one value may hold several,
// separated by commas (as in GOINIT_REWRITE=TERM:QUIT,HUP:0).
type rewrites forward.Rewrite

func (r *rewrites) Set(v string) error {
	for _, spec := range strings.Split(v, ",") {
		if err := (*forward.Rewrite)(r).Add(spec); err != nil {
			return err
		}
	}
	return nil
}

// exitCodes collects -e CODE values; one value may hold several,
// separated by commas (as in GOINIT_REMAP_EXIT=143,130).
type exitCodes []int

func (e *exitCodes) Set(v string) error {
	for _, field := range strings.Split(v, ",") {
		code, err := strconv.Atoi(field)
		if err != nil || code < 0 || code > 255 {
			return errors.New("invalid exit code " + strconv.Quote(field) + ": want 0 to 255")
		}
		if !slices.Contains(*e, code) {
			*e = append(*e, code)
		}
	}
	return nil
}
