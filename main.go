// Command goinit is an init for containers: it runs a command as its child,
// forwards every signal to it, reaps every zombie and exits with the
// command's status. See README.md.

// The Go runtime's container-aware GOMAXPROCS keeps the cgroup's CPU files
// open for the life of the process: two descriptors a container with a low
// RLIMIT_NOFILE cannot spare (see README, "Failure modes").
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	_ "embed"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"

	"goinit/catch"
	"goinit/child"
	"goinit/diag"
	"goinit/internal/environ"
	"goinit/signals"
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

// Exit codes of goinit's own.
const (
	exitCannotCatch = 1 // no signal catching: goinit cannot work
	exitUsage       = 2 // a command line goinit cannot accept
)

// memoryLimit is when the garbage collector runs: goinit's loop allocates
// nothing per event at the default verbosity (log lines at -v and -vv do),
// and the Go runtime has about 4 MiB mapped once goinit has started, so
// this leaves 8 MiB for garbage (at -vv, a collection every 50,000 or so
// reaped orphans). A constant: asking the runtime how much it has mapped
// costs about 200 KiB of resident memory (ReadMemStats) or a large part of
// start-up (runtime/metrics, whose initialiser builds a map of every
// metric).
const memoryLimit = 12 << 20

// maxProcs is goinit's GOMAXPROCS.
const maxProcs = 2

func main() {
	growStack(0)
	// goinit's binary is also the command's exec step when LISTEN_PID must
	// be rewritten (socket activation; see package child).
	if child.IsExecStep(os.Args) {
		os.Exit(child.ExecStep(os.Args))
	}
	// The lifecycle loop runs on the main thread, the one the kernel
	// prefers for a signal sent to the process: the signal then interrupts
	// the loop's own wait instead of waking a second thread. The
	// parent-death request (-p) belongs to this thread too.
	runtime.LockOSThread()
	// Signals first: until here one meets the Go runtime's handlers (see
	// README, "The start-up window").
	caught, err := catch.Start(signals.Forwardable())
	if err == syscall.EMFILE {
		diag.New(0).Errorf("cannot catch signals: %s", child.TooFewDescriptors())
		os.Exit(exitCannotCatch)
	}
	if err != nil {
		diag.New(0).Errorf("cannot catch signals: %v", err)
		os.Exit(exitCannotCatch)
	}
	// Two processors: the lifecycle loop's and one for the runtime's own
	// goroutines while the loop waits in the kernel, whatever the machine
	// has. That bounds goinit's threads (see README, "Failure modes"); one
	// makes every event cost a hand-off between threads (BENCHMARKS.md).
	runtime.GOMAXPROCS(maxProcs)
	// No collection on a timer, so an idle goinit never wakes up: collect
	// only when memory reaches memoryLimit.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(memoryLimit)
	os.Exit(run(os.Args[1:], environ.Read(), os.Stdout, caught))
}

// run turns the command line and the environment into a configuration and
// runs goinit with it, returning the exit code.
func run(args, env []string, stdout io.Writer, caught catch.Report) int {
	cfg, act, err := parseOptions(args, env)
	if err != nil {
		diag.New(0).Errorf("%v; see 'goinit --help'", err)
		return exitUsage
	}
	switch act {
	case showHelp:
		io.WriteString(stdout, usage)
		return 0
	case showVersion:
		io.WriteString(stdout, "goinit version "+version+" - git."+commit+"\n")
		return 0
	case showLicense:
		io.WriteString(stdout, license)
		return 0
	}
	for _, name := range unknownVariables(env) {
		diag.New(0).Warnf("%s is not a variable goinit reads; ignored (see 'goinit --help')", name)
	}
	return supervisor.Run(cfg, caught)
}

// growStack makes the Go runtime grow the main goroutine's stack while it
// holds only main's frame. The runtime copies a stack that outgrows its
// first 8 KiB, walking every frame on it; start-up (pflag, ForkExec)
// outgrows it anyway, later, with many more frames to walk. A 6 KiB frame
// takes the stack to the 16 KiB start-up needs (cachegrind: 22 k fewer
// instructions in the runtime's frame walk); a larger one would take it
// past what the runtime's stack pool holds, and the page allocator costs
// more than the walk saves.
//
//go:noinline
func growStack(i int) byte {
	var pad [6 << 10]byte
	pad[i] = 1
	return pad[len(pad)-1-i]
}
