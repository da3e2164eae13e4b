package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"goinit/forward"
)

// options is goinit's configuration as the user gave it.
type options struct {
	singleChild bool
	subreaper   bool
	verbosity   int
	grace       time.Duration
	waitAll     bool
	stopDelay   time.Duration
	pdeathsig   syscall.Signal
	help        bool
	version     bool
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
  -s, --subreaper       register as child subreaper even as PID 1
                        (always done when not PID 1)
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
  -h, --help            print this help and exit

DURATION is a number of seconds or a Go duration (500ms, 1m30s); SIGNAL a
name (TERM, SIGTERM, rtmin+3) or a number. Every long option can also be
set in the environment as GOINIT_<NAME> (GOINIT_SINGLE_CHILD=1,
GOINIT_GRACE=10s, ...); the command line wins.

Exit codes: the command's own; 126 command found but not executable;
127 command not found; 1 goinit could not start it; 2 bad usage.
`

// envPrefix names the environment variables that set long options.
const envPrefix = "GOINIT_"

// parseOptions reads the command line, then the environment for every long
// option the command line left unset. Parsing stops at "--" or at the first
// word that is not an option, so the command's own options are never read.
func parseOptions(args, env []string) (options, error) {
	var o options
	var processGroup bool
	fs := pflag.NewFlagSet("goinit", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SetInterspersed(false)
	fs.BoolVarP(&o.singleChild, "single-child", "c", false, "")
	fs.BoolVarP(&processGroup, "process-group", "g", false, "")
	fs.BoolVarP(&o.subreaper, "subreaper", "s", false, "")
	o.grace = defaultGrace
	fs.Var((*duration)(&o.grace), "grace", "")
	fs.BoolVar(&o.waitAll, "wait-all", false, "")
	fs.Var((*duration)(&o.stopDelay), "stop-delay", "")
	fs.VarP((*deathSignal)(&o.pdeathsig), "pdeathsig", "p", "")
	fs.VarPF((*verbosity)(&o.verbosity), "verbose", "v", "").NoOptDefVal = "+1"
	fs.BoolVarP(&o.help, "help", "h", false, "")
	fs.BoolVarP(&o.version, "version", "V", false, "")

	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.help || o.version {
		return o, nil
	}
	if err := checkTarget(fs, false); err != nil {
		return o, err
	}
	targetOnCommandLine := fs.Changed("single-child") || fs.Changed("process-group")
	for _, name := range []string{"single-child", "process-group", "subreaper", "verbose", "grace", "wait-all", "stop-delay", "pdeathsig"} {
		if fs.Changed(name) || (targetOnCommandLine && (name == "single-child" || name == "process-group")) {
			continue
		}
		if err := setFromEnv(fs, name, env); err != nil {
			return o, err
		}
	}
	if err := checkTarget(fs, true); err != nil {
		return o, err
	}
	if processGroup {
		o.singleChild = false
	}
	if len(fs.Args()) > 0 {
		o.command = fs.Args()
	}
	return o, nil
}

// checkTarget rejects asking for the child alone and for its group at once.
func checkTarget(fs *pflag.FlagSet, fromEnv bool) error {
	single, _ := fs.GetBool("single-child")
	group, _ := fs.GetBool("process-group")
	if single && group {
		if fromEnv {
			return errors.New(envName("single-child") + " and " + envName("process-group") + " contradict each other")
		}
		return errors.New("-c/--single-child and -g/--process-group contradict each other")
	}
	return nil
}

// setFromEnv sets the option name from GOINIT_<NAME> when that is set and
// not empty.
func setFromEnv(fs *pflag.FlagSet, name string, env []string) error {
	key := envName(name)
	value, ok := lookupEnv(env, key)
	if !ok || value == "" {
		return nil
	}
	if err := fs.Set(name, value); err != nil {
		return fmt.Errorf("%s: invalid value %s", key, strconv.Quote(value))
	}
	return nil
}

func envName(option string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(option, "-", "_"))
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

func (v *verbosity) String() string { return strconv.Itoa(int(*v)) }
func (v *verbosity) Type() string   { return "count" }

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

func (s *deathSignal) String() string {
	if *s == 0 {
		return ""
	}
	return forward.Name(syscall.Signal(*s))
}
func (s *deathSignal) Type() string { return "signal" }
