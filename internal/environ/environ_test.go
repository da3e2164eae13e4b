package environ

import (
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestLookupTakesTheFirstDefinitionAsGetenvDoes(t *testing.T) {
	env := []string{"PATHX=no", "PATH", "PATH=/first", "PATH=/second", "EMPTY="}
	if v, ok := Lookup(env, "PATH"); !ok || v != "/first" {
		t.Errorf("PATH = %q, %v; want /first", v, ok)
	}
	if v, ok := Lookup(env, "EMPTY"); !ok || v != "" {
		t.Errorf("EMPTY = %q, %v; want set and empty", v, ok)
	}
	if _, ok := Lookup(env, "PAT"); ok {
		t.Error("PAT found in PATH=...")
	}
}

func TestSelectKeepsTheEntriesWithThePrefixesInOrder(t *testing.T) {
	env := []string{"PATH=/bin", "GOINIT_A=1", "TINI_B=2", "XGOINIT_C=3", "GOINIT_A=4"}
	got := Select(env, "GOINIT_", "TINI_")
	if want := []string{"GOINIT_A=1", "TINI_B=2", "GOINIT_A=4"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Select = %q, want %q", got, want)
	}
}

// environHelper names the variable that makes the test binary print its
// environment as Read sees it.
const environHelper = "GOINITTEST_ENVIRON_TEST_PRINT"

func TestMain(m *testing.M) {
	if os.Getenv(environHelper) != "" {
		os.Stdout.WriteString(strings.Join(Read(), "\n"))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestReadKeepsDuplicatesInOrder(t *testing.T) {
	// Not os/exec: it drops duplicates from the environment it passes.
	env := []string{"DUP=first", environHelper + "=1", "DUP=second", "NOEQUALS"}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := syscall.ForkExec(os.Args[0], []string{os.Args[0]}, &syscall.ProcAttr{Env: env, Files: []uintptr{0, w.Fd(), 2}})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(r)
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	if got, want := string(out), strings.Join(env, "\n"); got != want {
		t.Errorf("Read = %q, want %q", got, want)
	}
}
