// This file is not part of goinit. The benchmark adds it to package
// forward, through go build -overlay, only in the copy of goinit it runs
// under valgrind: valgrind keeps the highest signal (64) for itself and
// refuses a handler for it, which goinit treats as fatal. Dropping that one
// signal before package catch installs its handlers leaves every other
// step of start-up as it is, so the copy executes what goinit executes,
// less one sigaction call.

package forward

func init() {
	kept := Forwardable[:0:0]
	for _, s := range Forwardable {
		if s != SigRTMax {
			kept = append(kept, s)
		}
	}
	Forwardable = kept
}
