// Package resident gives back the pages of goinit's own binary that it
// read only to start. The Go runtime reads through much of the binary at
// start-up (its tables of functions and types, every package's
// initialisers); a running goinit touches a small part of it again. Those
// are clean pages of a file: dropped from goinit's resident set, they stay
// in the page cache and come back from there, at the cost of a page
// fault, if they are needed again.
//
// Nothing goinit or the loader wrote is given up: a mapping of the binary
// is left alone when it is writable or holds any page of its own
// (smaps' Anonymous), as the relocated read-only data of a
// position-independent build does. Nothing is started either: no thread,
// and no garbage collection (what it allocates, one read of smaps, is far
// below goinit's memory limit).
package resident

import (
	"bytes"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"goinit/internal/procfs"
)

// DropBinaryPages drops the resident pages of the binary's clean,
// read-only mappings (code and read-only data) and returns how many bytes
// of mappings it went over.
func DropBinaryPages() (int, error) {
	smaps, err := procfs.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	var exe [4096]byte
	n, err := syscall.Readlink("/proc/self/exe", exe[:])
	if err != nil {
		return 0, err
	}
	dropped := 0
	for _, m := range cleanMappingsOf(smaps, exe[:n]) {
		// A range read from /proc, not a Go object, which unix.Madvise
		// would want.
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_DONTNEED); errno == 0 {
			dropped += int(m.end - m.start)
		}
	}
	return dropped, nil
}

type mapping struct{ start, end uintptr }

// cleanMappingsOf returns the mappings of path in smaps that are neither
// writable nor hold anonymous pages.
func cleanMappingsOf(smaps, path []byte) []mapping {
	var out []mapping
	var cur mapping
	candidate := false
	for _, line := range bytes.Split(smaps, []byte{'\n'}) {
		if start, end, readOnly, ok := mappingHeader(line, path); ok {
			cur, candidate = mapping{start, end}, readOnly
			continue
		}
		if v, ok := bytes.CutPrefix(line, []byte("Anonymous:")); ok && candidate {
			if kib, err := strconv.Atoi(string(bytes.Fields(v)[0])); err == nil && kib == 0 {
				out = append(out, cur)
			}
			candidate = false
		}
	}
	return out
}

// mappingHeader parses a mapping's first line in smaps (the format of
// /proc/self/maps): ok when it maps path, readOnly when not writable.
func mappingHeader(line, path []byte) (start, end uintptr, readOnly, ok bool) {
	fields := bytes.Fields(line)
	if len(fields) < 6 || !bytes.Equal(fields[5], path) || len(fields[1]) < 2 {
		return 0, 0, false, false
	}
	from, to, found := bytes.Cut(fields[0], []byte{'-'})
	if !found {
		return 0, 0, false, false
	}
	s, err1 := strconv.ParseUint(string(from), 16, 64)
	e, err2 := strconv.ParseUint(string(to), 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false, false
	}
	return uintptr(s), uintptr(e), fields[1][1] != 'w', true
}
