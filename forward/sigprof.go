package forward

import (
	"os"
	"syscall"

	"goinit/internal/goruntime"
)

// The Go runtime keeps SIGPROF for its profiler and never passes it to
// os/signal, so goinit catches SIGPROF with a handler of its own
// (profHandler, in sigprof_*.s), which writes one byte to a pipe for each
// SIGPROF; relaySIGPROF turns the bytes back into SIGPROFs on received.
// goinit does not profile itself, so nothing of the runtime's is lost.

// profPipeWrite is the pipe's write end, read by profHandler. It is set
// before the handler is installed and never changes.
var profPipeWrite int32 = -1

// profByte is what profHandler writes.
var profByte byte = byte(syscall.SIGPROF)

// profHandler is a signal handler in the C calling convention.
func profHandler()

// profHandlerAddr returns profHandler's entry address.
func profHandlerAddr() uintptr

func catchSIGPROF() error {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		return err
	}
	profPipeWrite = int32(p[1])
	if err := goruntime.InstallHandler(int(syscall.SIGPROF), int(syscall.SIGCHLD), profHandlerAddr()); err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return err
	}
	go relaySIGPROF(os.NewFile(uintptr(p[0]), "sigprof"))
	return nil
}

func relaySIGPROF(pipe *os.File) {
	buf := make([]byte, 64)
	for {
		n, err := pipe.Read(buf)
		if err != nil {
			return
		}
		for range n {
			received <- syscall.SIGPROF
		}
	}
}
