package signals

import (
	"errors"
	"strconv"
	"strings"
	"syscall"
)

// A Rewrite maps the signals goinit receives to the ones it forwards
// (-r FROM:TO). Its zero value forwards every signal as received.
type Rewrite struct {
	to [RTMax + 1]int8 // 0: as received; drop: not at all; n: as signal n
}

const drop = -1

// Add reads a FROM:TO spec and adds it, replacing any earlier rewrite of
// FROM. Both sides are signal numbers or names (as Parse reads them);
// TO may also be 0, which drops FROM instead of forwarding it.
func (r *Rewrite) Add(spec string) error {
	from, to, ok := strings.Cut(spec, ":")
	if !ok || strings.Contains(to, ":") {
		return errors.New("invalid rewrite " + strconv.Quote(spec) + ": want FROM:TO, such as TERM:QUIT or 15:3")
	}
	fromSig, err := Parse(from)
	if err != nil {
		return errors.New("invalid rewrite " + strconv.Quote(spec) + ": " + err.Error())
	}
	if !IsForwardable(fromSig) {
		return errors.New("invalid rewrite " + strconv.Quote(spec) + ": goinit never receives " + Name(fromSig))
	}
	if to == "0" {
		r.to[fromSig] = drop
		return nil
	}
	toSig, err := Parse(to)
	if err != nil {
		return errors.New("invalid rewrite " + strconv.Quote(spec) + ": " + err.Error())
	}
	r.to[fromSig] = int8(toSig)
	return nil
}

// Apply returns the signal to forward for sig, and false when sig is
// dropped.
func (r *Rewrite) Apply(sig syscall.Signal) (syscall.Signal, bool) {
	if sig <= 0 || int(sig) >= len(r.to) {
		return sig, true
	}
	switch to := r.to[sig]; to {
	case 0:
		return sig, true
	case drop:
		return 0, false
	default:
		return syscall.Signal(to), true
	}
}
