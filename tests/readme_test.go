package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"goinit/tests/internal/testenv"
)

// readmeSection returns the README's section under heading.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	section, err := testenv.ReadmeSection("..", heading)
	if err != nil {
		t.Fatal(err)
	}
	return section
}

// testFuncs lists the Test functions declared in the files matching glob.
func testFuncs(t *testing.T, glob string) []string {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", glob, err)
	}
	decl := regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1])
		}
	}
	return names
}

func TestEveryMigrationRowNamesATestAndEveryDifferentialTestARow(t *testing.T) {
	table := readmeSection(t, "## Moving from tini, dumb-init or catatonit")
	declared := testFuncs(t, "*_test.go")
	named := map[string]bool{}
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| tini / dumb-init") {
			continue
		}
		rows++
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		tests := regexp.MustCompile("`(Test\\w+)`").FindAllStringSubmatch(cells[len(cells)-1], -1)
		if len(tests) == 0 {
			t.Errorf("row %q names no test in its last column", cells[0])
		}
		for _, m := range tests {
			named[m[1]] = true
			if !slices.Contains(declared, m[1]) {
				t.Errorf("row %q names %s, which no file in tests/ declares", cells[0], m[1])
			}
		}
	}
	if rows < 10 {
		t.Fatalf("found %d rows in the migration table; is it still a table?", rows)
	}
	for _, glob := range []string{"compat_test.go", "dropin_test.go"} {
		for _, name := range testFuncs(t, glob) {
			if !named[name] {
				t.Errorf("%s (%s) checks goinit against the peers, but no row of the migration table names it", name, glob)
			}
		}
	}
}
