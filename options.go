package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// options is goinit's configuration as the user gave it.
type options struct {
	singleChild bool
	subreaper   bool
	verbosity   int
	help        bool
	version     bool
	command     []string // empty: pause mode
}

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
  -v, --verbose         log more; repeat for more (-vv)
  -V, --version         print the version and exit
  -h, --help            print this help and exit

Every long option can also be set in the environment as GOINIT_<NAME>
(GOINIT_SINGLE_CHILD=1, GOINIT_VERBOSE=2, ...); the command line wins.

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
	for _, name := range []string{"single-child", "process-group", "subreaper", "verbose"} {
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
