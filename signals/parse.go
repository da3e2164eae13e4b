package signals

import (
	"errors"
	"strconv"
	"strings"
	"syscall"
)

// aliases are other names the C library and kill(1) accept.
var aliases = map[string]syscall.Signal{
	"IOT": syscall.SIGABRT, "POLL": syscall.SIGIO, "CLD": syscall.SIGCHLD,
}

// Parse reads a signal given by number (1 to 64) or by name, in any
// case, with or without "SIG": "TERM", "sigterm", "SIGRTMIN+3", "rtmax-1".
func Parse(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > RTMax {
			return 0, errors.New("signal number " + s + " is out of range (1 to 64)")
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	name = strings.TrimPrefix(name, "SIG")
	for n := 1; n < len(names); n++ {
		if names[n][len("SIG"):] == name {
			return syscall.Signal(n), nil
		}
	}
	if sig, ok := aliases[name]; ok {
		return sig, nil
	}
	if sig, ok := parseRealtime(name); ok {
		return sig, nil
	}
	return 0, errors.New("unknown signal " + strconv.Quote(s))
}

// parseRealtime reads RTMIN, RTMIN+n, RTMAX and RTMAX-n.
func parseRealtime(name string) (syscall.Signal, bool) {
	base, sign, rest := 0, 1, ""
	switch {
	case strings.HasPrefix(name, "RTMIN"):
		base, rest = RTMin, name[len("RTMIN"):]
	case strings.HasPrefix(name, "RTMAX"):
		base, sign, rest = RTMax, -1, name[len("RTMAX"):]
	default:
		return 0, false
	}
	if rest == "" {
		return syscall.Signal(base), true
	}
	op := "+"
	if sign < 0 {
		op = "-"
	}
	digits, ok := strings.CutPrefix(rest, op)
	if !ok || digits == "" || len(digits) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || n > RTMax-RTMin || digits[0] == '+' || digits[0] == '-' {
		return 0, false
	}
	return syscall.Signal(base + sign*n), true
}
