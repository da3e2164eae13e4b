package diag

import (
	"errors"
	"testing"
	"time"
)

func TestMessagesFormatTheVerbsGoinitUses(t *testing.T) {
	cases := []struct {
		format string
		args   []any
		want   string
	}{
		{"started %q as pid %d", []any{"sh -c", 7}, `started "sh -c" as pid 7`},
		{"exec %q: %v", []any{"a\x00b\n", errors.New("not found")}, `exec "a\x00b\n": not found`},
		{"holding SIGTERM for %v (--stop-delay)", []any{1500 * time.Millisecond}, "holding SIGTERM for 1.5s (--stop-delay)"},
		{"%d left, %d exited, in %v", []any{int64(3), uint32(2), time.Second}, "3 left, 2 exited, in 1s"},
		{"%s and %v", []any{"s", nil}, "s and <nil>"},
		{"100%% sure", nil, "100% sure"},
		{"trailing %", nil, "trailing %"},
		{"missing %d", nil, "missing %!d"},
		{"not an integer: %d", []any{"x"}, "not an integer: %!d"},
		{"unknown kind: %v", []any{struct{}{}}, "unknown kind: %!v"},
	}
	for _, c := range cases {
		if got := string(appendf(nil, c.format, c.args)); got != c.want {
			t.Errorf("appendf(%q) = %q, want %q", c.format, got, c.want)
		}
	}
}
