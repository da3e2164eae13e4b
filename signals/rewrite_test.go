package signals

import (
	"strings"
	"syscall"
	"testing"
)

func TestRewriteMapsDropsAndPassesTheRest(t *testing.T) {
	var r Rewrite
	for _, spec := range []string{"TERM:QUIT", "sigusr1:0", "2:12", "SIGRTMIN+3:rtmax", "HUP:1"} {
		if err := r.Add(spec); err != nil {
			t.Fatalf("Add(%q): %v", spec, err)
		}
	}
	cases := []struct {
		in   syscall.Signal
		out  syscall.Signal
		send bool
	}{
		{syscall.SIGTERM, syscall.SIGQUIT, true},
		{syscall.SIGUSR1, 0, false},
		{syscall.SIGINT, syscall.SIGUSR2, true},
		{37, 64, true},
		{syscall.SIGHUP, syscall.SIGHUP, true},
		{syscall.SIGWINCH, syscall.SIGWINCH, true},
	}
	for _, c := range cases {
		out, send := r.Apply(c.in)
		if out != c.out || send != c.send {
			t.Errorf("Apply(%s) = %d, %v; want %d, %v", Name(c.in), out, send, c.out, c.send)
		}
	}
}

func TestLaterRewriteOfTheSameSignalWins(t *testing.T) {
	var r Rewrite
	r.Add("TERM:0")
	r.Add("TERM:INT")
	if out, send := r.Apply(syscall.SIGTERM); out != syscall.SIGINT || !send {
		t.Errorf("got %d, %v", out, send)
	}
}

func TestBadRewritesAreRejectedNamingTheSpec(t *testing.T) {
	for _, spec := range []string{"", ":", "TERM", "TERM:", ":TERM", "TERM:QUIT:HUP", "0:15", "TERM:65", "NOPE:1",
		"KILL:TERM", "STOP:0", "CHLD:TERM", "33:1", "TERM:-1", "TERM:x", "\xff:1", "15 :3"} {
		var r Rewrite
		err := r.Add(spec)
		if err == nil || !strings.Contains(err.Error(), "invalid rewrite") {
			t.Errorf("Add(%q) = %v, want an invalid-rewrite error", spec, err)
		}
	}
}

func FuzzRewriteNeverPanics(f *testing.F) {
	for _, seed := range []string{"TERM:QUIT", "15:0", "rtmin+3:rtmax-1", "::", "9:9", "64:1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		var r Rewrite
		if r.Add(spec) != nil {
			return
		}
		for sig := syscall.Signal(0); sig <= 70; sig++ {
			if out, send := r.Apply(sig); send && (out < 0 || out > RTMax) && out != sig {
				t.Errorf("%q: Apply(%d) = %d", spec, sig, out)
			}
		}
	})
}
