package procfs

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestReadFileReadsPastItsFirstBuffer(t *testing.T) {
	// /proc/self/maps of a Go test binary is well over 512 bytes.
	got, err := ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 512 || strings.Count(string(got), "\n") != strings.Count(string(want), "\n") {
		t.Errorf("read %d bytes (%d lines); os.ReadFile read %d (%d lines)", len(got), strings.Count(string(got), "\n"), len(want), strings.Count(string(want), "\n"))
	}
}

func TestReadDirListsEveryThreadAndKeepsNoDescriptor(t *testing.T) {
	before := openDescriptors(t)
	names, err := ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, strconv.Itoa(syscall.Gettid())) || slices.Contains(names, ".") {
		t.Errorf("tasks %q: want this thread's id and no dot entries", names)
	}
	if _, err := ReadFile("/proc/self/stat"); err != nil {
		t.Fatal(err)
	}
	if after := openDescriptors(t); after != before {
		t.Errorf("%d descriptors open before, %d after", before, after)
	}
}

func TestAMissingFileIsENOENT(t *testing.T) {
	if _, err := ReadFile("/proc/self/no-such-file"); err != syscall.ENOENT {
		t.Errorf("err = %v, want ENOENT", err)
	}
}

func openDescriptors(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
