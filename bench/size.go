package main

import (
	"debug/elf"
	"os"
)

// measureSizes records each binary's size on disk and whether it is static
// (no program interpreter: it needs no shared libraries at run time).
func measureSizes(_ plan, targets []*target, res *results) error {
	for _, t := range targets {
		if t.Kind == direct {
			continue
		}
		st, err := os.Stat(t.Path)
		if err != nil {
			return err
		}
		static, err := isStatic(t.Path)
		if err != nil {
			return err
		}
		res.of(t).Binary = &binaryInfo{Bytes: st.Size(), Static: static}
	}
	return nil
}

func isStatic(path string) (bool, error) {
	f, err := elf.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false, nil
		}
	}
	return true, nil
}
