package signals

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// AddTo adds sig to set as the kernel lays a signal set out: bit sig-1 of
// an array of the port's unsigned longs, in the port's byte order (so on
// a 64-bit big-endian port signal 1 is not in the set's first 32 bits).
func AddTo(set *unix.Sigset_t, sig syscall.Signal) {
	bits := uint(unsafe.Sizeof(set.Val[0])) * 8
	bit := uint(sig - 1)
	set.Val[bit/bits] |= 1 << (bit % bits)
}
