// Package supervisor is goinit's lifecycle: start the command, then forward
// signals and reap exits until the command has exited, then return the
// status goinit exits with. Without a command it pauses (the Kubernetes
// pause container): it reaps orphans until SIGINT or SIGTERM.
//
// Run must be called from goinit's main goroutine, once. Every event is
// handled in one loop, so the order of events is the order of the code:
// a signal is forwarded only while the child has not been reaped.
package supervisor

import (
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"

	"goinit/catch"
	"goinit/child"
	"goinit/diag"
	"goinit/forward"
	"goinit/reaper"
)

// Config is what Run needs to know.
type Config struct {
	Command     []string // the command and its arguments; empty for pause mode
	Env         []string // the command's environment
	SingleChild bool     // forward to the child only, not its process group
	Subreaper   bool     // register as subreaper even as PID 1
	Log         *diag.Logger
}

// Run runs the lifecycle and returns goinit's exit code.
func Run(cfg Config) int {
	log := cfg.Log
	if err := catch.Err(); err != nil {
		log.Errorf("cannot catch signals: %v", err)
		return 1
	}
	isPID1 := os.Getpid() == 1
	if !isPID1 || cfg.Subreaper {
		if err := reaper.BecomeSubreaper(); err != nil {
			log.Warnf("cannot register as child subreaper (%v): orphans of the command will not be reaped by goinit", err)
		}
	}
	if len(cfg.Command) == 0 {
		if !isPID1 {
			log.Warnf("no command and not PID 1: pausing as a subreaper; orphans elsewhere in this PID namespace go to its PID 1, not to goinit")
		}
		return pause(log)
	}

	proc, err := child.Start(cfg.Command, cfg.Env)
	if err != nil {
		return startFailed(err, log)
	}
	log.Infof("started %q as pid %d", cfg.Command[0], proc.Pid)
	return supervise(proc, cfg)
}

// supervise forwards signals to the child and reaps until the child exits.
func supervise(proc *child.Process, cfg Config) int {
	log := cfg.Log
	fwd := forward.New(proc.Pid, cfg.SingleChild)
	var sigs []syscall.Signal
	for {
		sigs = catch.Wait(sigs[:0], time.Time{})
		for _, sig := range sigs {
			if sig != syscall.SIGCHLD {
				if log.Debugging() { // formatting allocates; keep the loop free of it
					log.Debugf("forwarding %s", forward.Name(sig))
				}
				if err := fwd.Forward(sig); err != nil {
					log.Warnf("forwarding %s: %v", forward.Name(sig), err)
				}
				continue
			}
			if status, exited := reapChild(proc.Pid, log); exited {
				fwd.ChildReaped()
				log.Infof("command exited: %s", describe(status))
				return reaper.ExitCode(status)
			}
		}
	}
}

// reapChild collects every exited process and reports whether the child
// was among them, and its status.
func reapChild(pid int, log *diag.Logger) (status syscall.WaitStatus, exited bool) {
	reaper.Reap(func(p int, ws syscall.WaitStatus) {
		if p == pid {
			status, exited = ws, true
			return
		}
		if log.Debugging() {
			log.Debugf("reaped orphan pid %d (%s)", p, describe(ws))
		}
	})
	return status, exited
}

// pause reaps orphans until SIGINT or SIGTERM, ignoring every other signal.
func pause(log *diag.Logger) int {
	var sigs []syscall.Signal
	for {
		sigs = catch.Wait(sigs[:0], time.Time{})
		for _, sig := range sigs {
			switch sig {
			case syscall.SIGINT, syscall.SIGTERM:
				log.Noticef("pause: got %s, exiting", forward.Name(sig))
				return 0
			case syscall.SIGCHLD:
				reapChild(0, log)
			}
		}
	}
}

// startFailed reports a command that could not be started, collects the
// child that tried, and returns the exit code for the failure.
func startFailed(err error, log *diag.Logger) int {
	log.Errorf("%v", err)
	var cerr *child.Error
	if !errors.As(err, &cerr) {
		return 1
	}
	if cerr.Pid != 0 {
		reaper.Reap(func(int, syscall.WaitStatus) {})
	}
	return cerr.ExitCode()
}

func describe(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "killed by " + forward.Name(ws.Signal())
	}
	return "exit status " + strconv.Itoa(ws.ExitStatus())
}
