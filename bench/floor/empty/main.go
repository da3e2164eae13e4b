// Command empty is the Go runtime's floor for start-up: a program that does
// nothing, built with goinit's release flags, so the benchmark can show how
// much of goinit's cost is the runtime's and how much is goinit's own.
package main

func main() {}
