package signals

import (
	"syscall"
	"testing"
)

func TestParseSignalAcceptsNumbersAndNamesInAnyCase(t *testing.T) {
	for in, want := range map[string]syscall.Signal{
		"15": 15, "1": 1, "64": 64, "34": 34,
		"TERM": syscall.SIGTERM, "SIGTERM": syscall.SIGTERM, "sigterm": syscall.SIGTERM, "Term": syscall.SIGTERM,
		"hup": 1, "SIGUSR1": 10, "winch": 28, "SIGSTKFLT": 16, "sys": 31, "iot": 6, "POLL": 29, "cld": 17,
		"RTMIN": 34, "SIGRTMIN": 34, "SIGRTMIN+3": 37, "rtmin+30": 64, "RTMAX": 64, "SIGRTMAX-1": 63, "rtmax-30": 34,
		"KILL": 9, "STOP": 19,
	} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestParseSignalRejectsEverythingElse(t *testing.T) {
	for _, in := range []string{"", "0", "-1", "65", "1000", "99999999999999999999", "TERMX", "SIG", "SIGSIGTERM",
		"RTMIN+31", "RTMIN-1", "RTMAX+1", "RTMAX-31", "RTMIN+", "RTMIN++1", "RTMIN+-1", "RTMIN+1x", "RTMIN+001",
		" TERM", "TERM ", "\xff", "1.5", "0x0f", "SIGRT"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %d, want an error", in, got)
		}
	}
}

func TestEveryNameParsesBackToItsNumber(t *testing.T) {
	for n := syscall.Signal(1); n <= RTMax; n++ {
		name := Name(n)
		if n == 32 || n == 33 {
			continue // "signal 32": no name
		}
		if got, err := Parse(name); err != nil || got != n {
			t.Errorf("Parse(Name(%d) = %q) = %d, %v", n, name, got, err)
		}
	}
}

func FuzzParseSignalNeverPanicsAndStaysInRange(f *testing.F) {
	for _, seed := range []string{"TERM", "sigrtmin+3", "RTMAX-1", "15", "0", "65", "", "\xff\xfe", "RTMIN+99"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := Parse(s)
		if err == nil && (sig < 1 || sig > RTMax) {
			t.Errorf("Parse(%q) = %d: out of range", s, sig)
		}
	})
}
