// Package diag writes goinit's messages: one line each, on stderr, prefixed
// "goinit: ". Errors, warnings and notices are always written; Info at verbosity 1 and
// Debug at 2 and above.
//
// Writing can never block goinit or end it. A line that cannot be written at
// once (a full pipe nobody reads, a terminal under flow control) is dropped,
// as is everything after stderr turns out to be closed or broken. A broken
// pipe raises no SIGPIPE that could be mistaken for, and forwarded as, a
// signal someone sent. A stderr that was closed when goinit started is never
// written to, even if some descriptor goinit opened later has number 2.
//
// A Logger is safe for use by several goroutines.
package diag

import (
	"sync"

	"golang.org/x/sys/unix"
)

// maxLine keeps every line within PIPE_BUF, so a non-blocking write to a
// pipe is all or nothing.
const maxLine = 4096

// Logger writes goinit's messages to stderr.
type Logger struct {
	verbosity int
	fd        int  // 2, except in tests
	usable    bool // fd may be written: an inherited descriptor

	mu     sync.Mutex
	out    *output // opened on the first line written
	opened bool
}

// New returns a Logger that writes messages up to verbosity to fd 2.
func New(verbosity int) *Logger {
	return &Logger{verbosity: verbosity, fd: 2, usable: stderrInherited}
}

// Errorf writes an error line.
func (l *Logger) Errorf(format string, args ...any) { l.printf(format, args) }

// Noticef writes a line at every verbosity, for events the user should
// always see.
func (l *Logger) Noticef(format string, args ...any) { l.printf(format, args) }

// Warnf writes a warning line.
func (l *Logger) Warnf(format string, args ...any) { l.printf("warning: "+format, args) }

// Infof writes a line at verbosity 1 and above.
func (l *Logger) Infof(format string, args ...any) {
	if l.verbosity >= 1 {
		l.printf(format, args)
	}
}

// Debugging reports whether Debugf writes anything, so that a caller can
// skip building its arguments, which allocates.
func (l *Logger) Debugging() bool { return l.verbosity >= 2 }

// Debugf writes a line at verbosity 2 and above.
func (l *Logger) Debugf(format string, args ...any) {
	if l.verbosity >= 2 {
		l.printf(format, args)
	}
}

func (l *Logger) printf(format string, args []any) {
	line := make([]byte, 0, 128)
	line = append(line, "goinit: "...)
	line = appendf(line, format, args)
	line = oneLine(line)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.opened {
		if l.usable {
			l.out = openOutput(l.fd)
		}
		l.opened = true
	}
	if l.out != nil && !l.out.write(line) {
		l.out.close()
		l.out = nil
	}
}

// oneLine replaces control characters so a message is always a single
// line, shortens it to fit maxLine and ends it with a newline.
func oneLine(b []byte) []byte {
	for i, c := range b {
		if c < ' ' || c == 0x7f {
			b[i] = '?'
		}
	}
	if len(b) > maxLine-1 {
		b = append(b[:maxLine-4], "..."...)
	}
	return append(b, '\n')
}

// stderrInherited records, before goinit opens anything, whether fd 2 came
// from goinit's parent. Descriptors inherited across exec never have
// close-on-exec set, so one that has it was opened by this process (the Go
// runtime takes the lowest free numbers) and is not stderr.
var stderrInherited = func() bool {
	flags, err := unix.FcntlInt(2, unix.F_GETFD, 0)
	return err == nil && flags&unix.FD_CLOEXEC == 0
}()
