package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// machine is what the figures were measured on.
type machine struct {
	Date      string `json:"date"`
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	MemoryKiB int64  `json:"memory_kib"`
	OS        string `json:"os"`
	Kernel    string `json:"kernel"`
	Go        string `json:"go"`
	GCC       string `json:"gcc"`
	Valgrind  string `json:"valgrind"`
	Virtual   string `json:"virtualization,omitempty"`
}

func describeMachine(o options) machine {
	m := machine{
		Date:     time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		CPU:      cpuModel(),
		Cores:    runtime.NumCPU(),
		OS:       osName(),
		Kernel:   kernelRelease(),
		Go:       runtime.Version(),
		GCC:      commandOutput("gcc", "-dumpfullversion"),
		Valgrind: commandOutput("valgrind", "--version"),
		Virtual:  commandOutput("systemd-detect-virt"),
	}
	if meminfo, err := readStatus("/proc/meminfo"); err == nil {
		m.MemoryKiB = meminfo["MemTotal"]
	}
	return m
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return runtime.GOARCH
}

func osName() string {
	data, _ := os.ReadFile("/etc/os-release")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return runtime.GOOS
}

func kernelRelease() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return "unknown"
	}
	var b strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}

// commandOutput is the first line a command prints, or "" if it cannot run.
func commandOutput(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil && len(out) == 0 {
		return ""
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return first
}
