// Command pause is the Go runtime's floor for memory and idle cost: a
// program that only sleeps in pause(2), built with goinit's release flags.
package main

import "syscall"

func main() {
	for {
		syscall.Syscall(syscall.SYS_PAUSE, 0, 0, 0)
	}
}
