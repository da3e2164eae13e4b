package signals

import (
	"strconv"
	"syscall"
)

// names are the standard signals by number, as the C library and kill(1)
// spell them on Linux.
var names = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP",
	6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1",
	11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
	16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP",
	21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
	26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR",
	31: "SIGSYS",
}

// Name returns the usual name of sig: "SIGTERM", "SIGRTMIN+3", "SIGRTMAX",
// or "signal 32" for the numbers between the standard and the real-time
// signals.
func Name(sig syscall.Signal) string {
	n := int(sig)
	switch {
	case n > 0 && n < len(names):
		return names[n]
	case n == RTMin:
		return "SIGRTMIN"
	case n == RTMax:
		return "SIGRTMAX"
	case n > RTMin && n < RTMax:
		return "SIGRTMIN+" + strconv.Itoa(n-RTMin)
	}
	return "signal " + strconv.Itoa(n)
}
