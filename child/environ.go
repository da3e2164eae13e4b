package child

import (
	"bytes"
	"os"

	"goinit/internal/procfs"
)

// Environ returns goinit's environment as the kernel passed it, duplicate
// names and order included, from /proc/self/environ; where /proc cannot be
// read, os.Environ, which keeps only the first of each name.
func Environ() []string {
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
