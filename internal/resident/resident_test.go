package resident

import (
	"reflect"
	"testing"
)

const smaps = `00400000-004d7000 r-xp 00000000 fe:00 9979363    /sbin/goinit
Rss:                 764 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me
004d7000-005f6000 r--p 000d7000 fe:00 9979363    /sbin/goinit
Rss:                 192 kB
Anonymous:             0 kB
005f6000-005f9000 r--p 001f6000 fe:00 9979363    /sbin/goinit
Rss:                  12 kB
Anonymous:            12 kB
005f9000-00603000 rw-p 001f9000 fe:00 9979363    /sbin/goinit
Rss:                  40 kB
Anonymous:             0 kB
00603000-00639000 rw-p 00000000 00:00 0
Anonymous:            80 kB
7f0000000000-7f0000001000 r-xp 00000000 fe:00 1    /bin/busybox
Anonymous:             0 kB
7fd20afbb000-7fd20afbd000 r-xp 00000000 00:00 0    [vdso]
Anonymous:             0 kB
`

func TestOnlyTheBinarysCleanReadOnlyMappingsAreDropped(t *testing.T) {
	got := cleanMappingsOf([]byte(smaps), []byte("/sbin/goinit"))
	// Not the relocated read-only data (pages of its own), not the
	// written data, not another file's, not the vdso.
	want := []mapping{{0x400000, 0x4d7000}, {0x4d7000, 0x5f6000}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dropped %x, want %x", got, want)
	}
}
