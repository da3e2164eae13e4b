// Package resident gives back the pages of goinit's own binary that it
// read only to start. The Go runtime reads through much of the binary at
// start-up (its tables of functions and types, every package's
// initialisers); a running goinit touches a small part of it again. Those
// are clean pages of a file: dropped from goinit's resident set, they stay
// in the page cache and come back from there, at the cost of a page
// fault, if they are needed again. Nothing goinit wrote is given up, and
// nothing is allocated or started: no garbage collection, no thread.
package resident

import (
	"bytes"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"goinit/internal/procfs"
)

// DropBinaryPages drops the resident pages of the binary's read-only
// mappings (code and read-only data) and returns how many bytes of
// mappings it went over.
func DropBinaryPages() (int, error) {
	maps, err := procfs.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	var exe [4096]byte
	n, err := syscall.Readlink("/proc/self/exe", exe[:])
	if err != nil {
		return 0, err
	}
	dropped := 0
	for _, line := range bytes.Split(maps, []byte{'\n'}) {
		start, end, ok := readOnlyMappingOf(line, exe[:n])
		if !ok {
			continue
		}
		// A range read from /proc, not a Go object, which unix.Madvise
		// would want.
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_DONTNEED); errno == 0 {
			dropped += int(end - start)
		}
	}
	return dropped, nil
}

// readOnlyMappingOf parses one line of /proc/self/maps and reports the
// range when it maps path without write permission.
func readOnlyMappingOf(line, path []byte) (start, end uintptr, ok bool) {
	fields := bytes.Fields(line)
	if len(fields) < 6 || !bytes.Equal(fields[5], path) || len(fields[1]) < 2 || fields[1][1] == 'w' {
		return 0, 0, false
	}
	from, to, found := bytes.Cut(fields[0], []byte{'-'})
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(string(from), 16, 64)
	e, err2 := strconv.ParseUint(string(to), 16, 64)
	return uintptr(s), uintptr(e), err1 == nil && err2 == nil && e > s
}
