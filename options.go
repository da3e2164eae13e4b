package main

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"goinit/internal/environ"
	"goinit/signals"
	"goinit/supervisor"
)

// action is what the command line asks goinit to do.
type action int

const (
	runCommand action = iota // run the command, or pause without one
	showHelp
	showVersion
	showLicense
)

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
  -v, --verbose         log more; repeat for more (-vv), or --verbose=N
                        (0 to 9)
  -V, --version         print the version and exit
  -l, --license         print the license and exit
  -h, --help            print this help and exit

DURATION is a number of seconds or a Go duration (500ms, 1m30s); SIGNAL a
name (TERM, SIGTERM, rtmin+3) or a number. Every long option but --help,
--version and --license can also be set in the environment as
GOINIT_<NAME> (GOINIT_SINGLE_CHILD=1, GOINIT_GRACE=10s,
GOINIT_REMAP_EXIT=143,130...); the command line wins.
tini's and dumb-init's variables work too: TINI_SUBREAPER,
TINI_KILL_PROCESS_GROUP, TINI_VERBOSITY, DUMB_INIT_SETSID=0,
DUMB_INIT_DEBUG=1.

Exit codes: the command's own; 126 command found but not executable;
127 command not found; 1 goinit could not start it; 2 bad usage.
`

// envPrefix names the environment variables that set long options.
const envPrefix = "GOINIT_"

// variables are the GOINIT_<NAME> variables: one for each long option but
// the actions (help, version, license), which are command-line only. The
// target (single-child, process-group) is decided as a whole by
// chooseTarget; the others are set one by one. The names are written out:
// they are looked up at every start, and building them costs more than
// that. TestEveryOptionButTheActionsHasItsVariable keeps them right.
var variables = [...]struct {
	option, name string
	target       bool
}{
	{"single-child", "GOINIT_SINGLE_CHILD", true}, {"process-group", "GOINIT_PROCESS_GROUP", true},
	{"subreaper", "GOINIT_SUBREAPER", false}, {"verbose", "GOINIT_VERBOSE", false},
	{"rewrite", "GOINIT_REWRITE", false}, {"remap-exit", "GOINIT_REMAP_EXIT", false},
	{"warn-on-reap", "GOINIT_WARN_ON_REAP", false}, {"grace", "GOINIT_GRACE", false},
	{"wait-all", "GOINIT_WAIT_ALL", false}, {"stop-delay", "GOINIT_STOP_DELAY", false},
	{"pdeathsig", "GOINIT_PDEATHSIG", false},
}

// envName is the variable that sets option.
func envName(option string) string {
	for _, v := range variables {
		if v.option == option {
			return v.name
		}
	}
	return "" // an action: no variable sets it
}

// settingsIn returns the entries of env goinit reads its settings from
// (GOINIT_*, TINI_*, DUMB_INIT_*), looked up many times over: usually
// none or a few of a long environment.
func settingsIn(env []string) []string {
	return environ.Select(env, envPrefix, "TINI_", "DUMB_INIT_")
}

// unknownVariables lists the GOINIT_* variables in env that name no
// option: a typo (GOINIT_GRACEE) would otherwise be ignored in silence.
func unknownVariables(env []string) []string {
	var unknown []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix) || slices.Contains(unknown, name) {
			continue
		}
		known := false
		for _, v := range variables {
			known = known || name == v.name
		}
		if !known {
			unknown = append(unknown, name)
		}
	}
	return unknown
}

// commandLine is the flag set and where its flags put their values.
type commandLine struct {
	flags                     *pflag.FlagSet
	cfg                       supervisor.Config
	singleChild, processGroup bool
	help, version, license    bool
}

func newCommandLine() *commandLine {
	cl := &commandLine{cfg: supervisor.Config{Grace: defaultGrace}}
	fs := pflag.NewFlagSet("goinit", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = false
	// Options end at the first word that is not one: the command's own
	// options are never read as goinit's.
	fs.SetInterspersed(false)
	boolFlag(fs, &cl.singleChild, "single-child", "c")
	boolFlag(fs, &cl.processGroup, "process-group", "g")
	fs.VarP((*rewrites)(&cl.cfg.Rewrite), "rewrite", "r", "")
	fs.VarP((*exitCodes)(&cl.cfg.RemapExit), "remap-exit", "e", "")
	boolFlag(fs, &cl.cfg.Subreaper, "subreaper", "s")
	boolFlag(fs, &cl.cfg.WarnOnReap, "warn-on-reap", "w")
	fs.Var((*duration)(&cl.cfg.Grace), "grace", "")
	boolFlag(fs, &cl.cfg.WaitAll, "wait-all", "")
	fs.Var((*duration)(&cl.cfg.StopDelay), "stop-delay", "")
	fs.VarP((*deathSignal)(&cl.cfg.Pdeathsig), "pdeathsig", "p", "")
	fs.VarPF((*verbosity)(&cl.cfg.Verbosity), "verbose", "v", "").NoOptDefVal = "+1"
	boolFlag(fs, &cl.help, "help", "h")
	boolFlag(fs, &cl.version, "version", "V")
	boolFlag(fs, &cl.license, "license", "l")
	cl.flags = fs
	return cl
}

// boolFlag defines a flag that takes no value (-c), or true or false
// (--single-child=false).
func boolFlag(fs *pflag.FlagSet, p *bool, name, short string) {
	fs.VarPF((*boolean)(p), name, short, "").NoOptDefVal = "true"
}

// parseOptions reads the command line, then the environment for every long
// option the command line left unset: GOINIT_<NAME> first, then the
// variables tini and dumb-init read. It returns the configuration for the
// lifecycle (the command and its environment included) and what to do.
func parseOptions(args, env []string) (supervisor.Config, action, error) {
	cl := newCommandLine()
	cl.cfg.Env = env
	env = settingsIn(env)
	if err := cl.parse(args); err != nil {
		return cl.cfg, runCommand, err
	}
	switch {
	case cl.help:
		return cl.cfg, showHelp, nil
	case cl.version:
		return cl.cfg, showVersion, nil
	case cl.license:
		return cl.cfg, showLicense, nil
	}
	for _, v := range variables {
		if v.target {
			continue
		}
		if err := cl.setFromEnv(v.option, v.name, env); err != nil {
			return cl.cfg, runCommand, err
		}
	}
	if err := cl.applyPeerEnvironment(env); err != nil {
		return cl.cfg, runCommand, err
	}
	single, err := cl.chooseTarget(env)
	if err != nil {
		return cl.cfg, runCommand, err
	}
	cl.cfg.SingleChild = single
	if rest := cl.flags.Args(); len(rest) > 0 {
		cl.cfg.Command = rest
	}
	return cl.cfg, runCommand, nil
}

// parse reads the options in args, leaving the command in cl.flags.Args.
// Errors name what the user typed, in one line.
func (cl *commandLine) parse(args []string) error {
	err := cl.flags.Parse(args)
	var (
		unknown  *pflag.NotExistError
		needs    *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
		syntaxEr *pflag.InvalidSyntaxError
	)
	switch {
	case err == nil:
		return refuseTestFlags(args[:len(args)-len(cl.flags.Args())])
	case errors.As(err, &unknown):
		if rest := unknown.GetSpecifiedShortnames(); rest != "" {
			return errors.New("unknown option " + strconv.QuoteRune(rune(rest[0])) + " in " + clusterEnding(args, rest))
		}
		return errors.New("unknown option --" + unknown.GetSpecifiedName())
	case errors.As(err, &needs):
		if needs.GetSpecifiedShortnames() != "" {
			return errors.New("option -" + needs.GetSpecifiedName() + " needs a value")
		}
		return errors.New("option --" + needs.GetSpecifiedName() + " needs a value")
	case errors.As(err, &invalid):
		return errors.New("invalid value " + strconv.Quote(invalid.GetValue()) + " for " + display(invalid.GetFlag()) + ": " + reason(invalid))
	case errors.As(err, &syntaxEr):
		return errors.New("bad option " + strconv.Quote(syntaxEr.GetSpecifiedFlag()))
	}
	return err
}

// clusterEnding finds the word of short options that pflag was reading
// when only rest was left of it, to name it as the user typed it.
func clusterEnding(args []string, rest string) string {
	for _, word := range args {
		if word == "--" {
			break
		}
		if !strings.HasPrefix(word, "--") && strings.HasPrefix(word, "-") && strings.HasSuffix(word, rest) {
			return word
		}
	}
	return "-" + rest
}

// refuseTestFlags refuses the -test.* words pflag passes over without a
// word (they are Go test flags to it), which would otherwise silently
// change what the rest of a cluster means.
func refuseTestFlags(consumed []string) error {
	for _, word := range consumed {
		if strings.HasPrefix(word, "-") && !strings.HasPrefix(word, "--") && strings.Contains(word, "test.") {
			return errors.New("unknown option " + strconv.Quote(word))
		}
	}
	return nil
}

// display names a flag as the help does: "-e/--remap-exit" or "--grace".
func display(f *pflag.Flag) string {
	if f.Shorthand == "" {
		return "--" + f.Name
	}
	return "-" + f.Shorthand + "/--" + f.Name
}

// reason is why a value was refused, in the Value's own words.
func reason(err *pflag.InvalidValueError) string {
	return errors.Unwrap(err).Error()
}

// chooseTarget decides between the child alone and its process group from
// the first source that says anything: the command line, then GOINIT_*,
// then DUMB_INIT_SETSID=0 (the child alone) or TINI_KILL_PROCESS_GROUP (the
// group). A source asking for both is an error.
func (cl *commandLine) chooseTarget(env []string) (singleChild bool, err error) {
	if cl.flags.Changed("single-child") || cl.flags.Changed("process-group") {
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
	setsid, _ := environ.Lookup(env, "DUMB_INIT_SETSID")
	_, tiniGroup := environ.Lookup(env, "TINI_KILL_PROCESS_GROUP")
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
	if !cl.isSet(env, "subreaper") {
		if _, ok := environ.Lookup(env, "TINI_SUBREAPER"); ok {
			cl.cfg.Subreaper = true
		}
	}
	if cl.isSet(env, "verbose") {
		return nil
	}
	if v, ok := environ.Lookup(env, "TINI_VERBOSITY"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10 {
			return errors.New("TINI_VERBOSITY: invalid value " + strconv.Quote(v) + ": want a level from 0 to 10")
		}
		cl.cfg.Verbosity = max(n-1, 0)
	}
	if v, _ := environ.Lookup(env, "DUMB_INIT_DEBUG"); v == "1" {
		cl.cfg.Verbosity = max(cl.cfg.Verbosity, 1)
	}
	return nil
}

// isSet reports whether the command line or GOINIT_<NAME> set the option.
func (cl *commandLine) isSet(env []string, name string) bool {
	if cl.flags.Changed(name) {
		return true
	}
	v, _ := environ.Lookup(env, envName(name))
	return v != ""
}

// setFromEnv sets option from its variable when the command line did not
// and the variable is set and not empty.
func (cl *commandLine) setFromEnv(option, variable string, env []string) error {
	if cl.flags.Changed(option) {
		return nil
	}
	value, ok := environ.Lookup(env, variable)
	if !ok || value == "" {
		return nil
	}
	if err := cl.flags.Lookup(option).Value.Set(value); err != nil {
		return errors.New(variable + ": invalid value " + strconv.Quote(value) + ": " + err.Error())
	}
	return nil
}

// envBool reads a boolean variable; unset or empty is not set.
func envBool(env []string, key string) (value, set bool, err error) {
	v, _ := environ.Lookup(env, key)
	if v == "" {
		return false, false, nil
	}
	var b boolean
	if err := b.Set(v); err != nil {
		return false, false, errors.New(key + ": invalid value " + strconv.Quote(v) + ": " + err.Error())
	}
	return bool(b), true, nil
}

// boolean is a flag that is on or off, which says what it takes when
// given anything else.
type boolean bool

func (b *boolean) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true or false")
	}
	*b = boolean(v)
	return nil
}

func (b *boolean) String() string   { return strconv.FormatBool(bool(*b)) }
func (b *boolean) Type() string     { return "bool" }
func (b *boolean) IsBoolFlag() bool { return true }

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

func (v *verbosity) String() string { return strconv.Itoa(int(*v)) }
func (v *verbosity) Type() string   { return "level" }

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

func (d *duration) String() string { return time.Duration(*d).String() }
func (d *duration) Type() string   { return "duration" }

// deathSignal is the SIGNAL of --pdeathsig: one goinit can catch, or it
// would die of it without passing it on.
type deathSignal syscall.Signal

func (s *deathSignal) Set(v string) error {
	sig, err := signals.Parse(v)
	if err != nil {
		return err
	}
	if !signals.Catchable(sig) {
		return errors.New(signals.Name(sig) + " cannot be caught, so goinit could not pass it on")
	}
	*s = deathSignal(sig)
	return nil
}

func (s *deathSignal) String() string { return signals.Name(syscall.Signal(*s)) }
func (s *deathSignal) Type() string   { return "signal" }

// rewrites collects -r FROM:TO specs; one value may hold several,
// separated by commas (as in GOINIT_REWRITE=TERM:QUIT,HUP:0).
type rewrites signals.Rewrite

func (r *rewrites) Set(v string) error {
	for _, spec := range strings.Split(v, ",") {
		if err := (*signals.Rewrite)(r).Add(spec); err != nil {
			return err
		}
	}
	return nil
}

func (r *rewrites) String() string { return "" }
func (r *rewrites) Type() string   { return "FROM:TO" }

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

func (e *exitCodes) String() string { return "" }
func (e *exitCodes) Type() string   { return "CODE" }
