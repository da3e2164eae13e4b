// Command goinit is an init for containers: it runs a command as its child,
// forwards every signal to it, reaps every zombie and exits with the
// command's status. See README.md.
package main

import (
	_ "embed"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"goinit/diag"
	"goinit/internal/goruntime"
	"goinit/supervisor"
)

// Stamped at build time by the Makefile.
var (
	version = "0.0.0-dev"
	commit  = "unknown"
)

// license is printed by -l/--license.
//
//go:embed LICENSE
var license string

// exitUsage is the exit code for a command line goinit cannot accept.
const exitUsage = 2

// memoryLimit is when the garbage collector runs: goinit's loop allocates
// nothing per event at the default verbosity (log lines at -v and -vv do),
// and the Go runtime has about 4 MiB mapped once goinit has started, so
// this leaves 8 MiB for garbage (at -vv, a collection every 50,000 or so
// reaped orphans). A constant: asking the runtime how much it has mapped
// costs about 200 KiB of resident memory (ReadMemStats) or a large part of
// start-up (runtime/metrics, whose initialiser builds a map of every
// metric).
const memoryLimit = 12 << 20

func init() {
	// No collection on a timer, so an idle goinit never wakes up: collect
	// only when memory reaches memoryLimit.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(memoryLimit)
	// Keep the lifecycle loop on the main thread, the one the kernel
	// prefers for a signal sent to the process: the signal then interrupts
	// the loop's own wait instead of waking a second thread, which would
	// wake the loop through the pipe.
	runtime.LockOSThread()
}

func main() {
	os.Exit(run(os.Args[1:], goruntime.Environ(), os.Stdout))
}

// run turns the command line and the environment into a configuration and
// runs goinit with it, returning the exit code.
func run(args, env []string, stdout io.Writer) int {
	opts, err := parseOptions(args, env)
	if err != nil {
		diag.New(0).Errorf("%v; see 'goinit --help'", err)
		return exitUsage
	}
	switch {
	case opts.help:
		io.WriteString(stdout, usage)
		return 0
	case opts.version:
		io.WriteString(stdout, "goinit version "+version+" - git."+commit+"\n")
		return 0
	case opts.license:
		io.WriteString(stdout, license)
		return 0
	}
	return supervisor.Run(supervisor.Config{
		Command:     opts.command,
		Env:         env,
		SingleChild: opts.singleChild,
		Subreaper:   opts.subreaper,
		Rewrite:     opts.rewrite,
		RemapExit:   opts.remapExit,
		WarnOnReap:  opts.warnOnReap,
		Grace:       opts.grace,
		WaitAll:     opts.waitAll,
		StopDelay:   opts.stopDelay,
		Pdeathsig:   opts.pdeathsig,
		Log:         diag.New(opts.verbosity),
	})
}
