package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The report goes between these markers in the markdown file; whatever is
// written around them (the analysis of a run) is kept.
const (
	beginMarker = "<!-- bench:begin: written by make bench; edit outside these markers -->"
	endMarker   = "<!-- bench:end -->"
)

func writeOutputs(o options, r *results) error {
	report := markdown(r)
	fmt.Print(report)
	if o.mdPath != "" {
		if err := writeBetweenMarkers(o.mdPath, report); err != nil {
			return err
		}
	}
	if o.json != "" {
		data, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		if err := writeFile(o.json, append(data, '\n')); err != nil {
			return err
		}
	}
	if o.svg != "" {
		if err := writeFile(o.svg, []byte(chart(r))); err != nil {
			return err
		}
	}
	return nil
}

// writeBetweenMarkers replaces the text between the markers in path, or
// creates the file with a title and the markers.
func writeBetweenMarkers(path, report string) error {
	old, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		old = []byte("# Benchmarks\n\n" + beginMarker + "\n" + endMarker + "\n")
	} else if err != nil {
		return err
	}
	text := string(old)
	begin, end := strings.Index(text, beginMarker), strings.Index(text, endMarker)
	if begin < 0 || end < begin {
		return fmt.Errorf("%s has no %q ... %q markers to write between", path, beginMarker, endMarker)
	}
	text = text[:begin+len(beginMarker)] + "\n" + report + text[end:]
	return writeFile(path, []byte(text))
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
