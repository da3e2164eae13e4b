// Command naive is the init a Go programmer writes in an afternoon: os/exec
// to start the command, os/signal to catch everything, forward each signal
// to the command's process group and reap with wait4. The benchmark
// measures it beside goinit to show what goinit's own machinery buys.
//
// It is deliberately plain, faults included: os/signal merges queued
// real-time signals, and the runtime's own preemption SIGURGs arrive on the
// channel like any other signal and are forwarded.
package main

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		os.Stderr.WriteString("usage: naive COMMAND [ARG...]\n")
		os.Exit(2)
	}
	signals := make(chan os.Signal, 64)
	signal.Notify(signals)
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.Stderr.WriteString("naive: " + err.Error() + "\n")
		os.Exit(127)
	}
	child := cmd.Process.Pid
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			syscall.Kill(-child, sig.(syscall.Signal))
			continue
		}
		if status, exited := reap(child); exited {
			if status.Signaled() {
				os.Exit(128 + int(status.Signal()))
			}
			os.Exit(status.ExitStatus())
		}
	}
}

// reap collects every exited child and reports the command's status once
// the command is among them.
func reap(child int) (status syscall.WaitStatus, exited bool) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return status, exited
		}
		if pid == child {
			status, exited = ws, true
		}
	}
}
