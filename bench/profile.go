package main

import (
	"cmp"
	"slices"
	"strings"
)

// startupProfile splits goinit's start-up instructions by Go package and
// by function, beside the empty Go program's: what the floor does not
// execute is goinit's own cost.
type startupProfile struct {
	Total      int64        `json:"goinit_total"`
	FloorTotal int64        `json:"floor_total"`
	ByPackage  []profileRow `json:"by_package"`
	ByFunction []profileRow `json:"by_function"` // the largest differences
}

type profileRow struct {
	Name   string `json:"name"`
	Goinit int64  `json:"goinit"`
	Floor  int64  `json:"floor"`
}

func (r profileRow) Extra() int64 { return r.Goinit - r.Floor }

// topFunctions is how many functions the profile keeps.
const topFunctions = 25

func compareProfiles(goinitFile, floorFile string) (*startupProfile, error) {
	g, err := cachegrindByFunction(goinitFile)
	if err != nil {
		return nil, err
	}
	f, err := cachegrindByFunction(floorFile)
	if err != nil {
		return nil, err
	}
	p := &startupProfile{Total: sum(g), FloorTotal: sum(f)}
	p.ByPackage = compareRows(groupBy(g, goPackage), groupBy(f, goPackage))
	p.ByFunction = compareRows(g, f)
	if len(p.ByFunction) > topFunctions {
		p.ByFunction = p.ByFunction[:topFunctions]
	}
	return p, nil
}

// compareRows pairs two count tables, largest extra cost first.
func compareRows(g, f map[string]int64) []profileRow {
	var rows []profileRow
	for name, n := range g {
		rows = append(rows, profileRow{name, n, f[name]})
	}
	for name, n := range f {
		if _, ok := g[name]; !ok {
			rows = append(rows, profileRow{name, 0, n})
		}
	}
	slices.SortFunc(rows, func(a, b profileRow) int {
		if a.Extra() != b.Extra() {
			return cmp.Compare(b.Extra(), a.Extra())
		}
		return strings.Compare(a.Name, b.Name)
	})
	return rows
}

func groupBy(byFn map[string]int64, key func(string) string) map[string]int64 {
	out := map[string]int64{}
	for fn, n := range byFn {
		out[key(fn)] += n
	}
	return out
}

// goPackage is the import path of a Go symbol such as
// "github.com/spf13/pflag.(*FlagSet).Parse" or "runtime.mallocgc".
// Assembly labels without a package go under "(assembly)".
func goPackage(symbol string) string {
	slash := strings.LastIndexByte(symbol, '/')
	dot := strings.IndexByte(symbol[slash+1:], '.')
	if dot < 0 {
		return "(assembly)"
	}
	return symbol[:slash+1+dot]
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
