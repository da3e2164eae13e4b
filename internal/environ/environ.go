// Package environ is goinit's one reading of an environment: the one it was
// given, and the value of a name in one.
package environ

import (
	"bytes"
	"os"
	"strings"

	"goinit/internal/procfs"
)

// Read returns the environment as the kernel passed it to this process,
// duplicate names and order included, from /proc/self/environ; where /proc
// cannot be read, os.Environ, which keeps only the first of each name.
func Read() []string {
	b, err := procfs.ReadFile("/proc/self/environ")
	if err != nil {
		return os.Environ()
	}
	var env []string
	for len(b) > 0 {
		entry, rest, _ := bytes.Cut(b, []byte{0})
		env = append(env, string(entry))
		b = rest
	}
	return env
}

// Lookup finds the first definition of key in env, as getenv(3) does.
func Lookup(env []string, key string) (string, bool) {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key); ok && strings.HasPrefix(v, "=") {
			return v[1:], true
		}
	}
	return "", false
}

// Select returns the entries of env whose names start with one of
// prefixes, in order: what a caller looks up many names in, at the cost
// of one pass over a whole environment.
func Select(env []string, prefixes ...string) []string {
	var out []string
	for _, kv := range env {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				out = append(out, kv)
				break
			}
		}
	}
	return out
}
