// Command goinit is an init for containers: it runs a command as its child,
// forwards every signal to it, reaps every zombie and exits with the
// command's status. See README.md.
package main

import (
	_ "embed"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"

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

// gcHeadroom is how much garbage may accumulate before the collector
// runs. goinit's loop allocates nothing per event at the default verbosity;
// log lines at -v and -vv do.
const gcHeadroom = 4 << 20

func init() {
	// No collection on a timer, so an idle goinit never wakes up: collect
	// only when memory grows gcHeadroom beyond what start-up needed.
	debug.SetGCPercent(-1)
	total := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(total)
	debug.SetMemoryLimit(int64(total[0].Value.Uint64()) + gcHeadroom)
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
