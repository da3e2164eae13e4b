package resident

import "testing"

func TestOnlyTheBinarysReadOnlyMappingsAreDropped(t *testing.T) {
	exe := []byte("/sbin/goinit")
	for line, want := range map[string]bool{
		"00400000-004d7000 r-xp 00000000 fe:00 9979363    /sbin/goinit":   true,
		"004d7000-005f6000 r--p 000d7000 fe:00 9979363    /sbin/goinit":   true,
		"005f6000-00603000 rw-p 001f6000 fe:00 9979363    /sbin/goinit":   false, // written data
		"00603000-00639000 rw-p 00000000 00:00 0":                         false, // no file
		"7fd20afbb000-7fd20afbd000 r-xp 00000000 00:00 0    [vdso]":       false,
		"7f0000000000-7f0000001000 r-xp 00000000 fe:00 1    /bin/busybox": false,
		"zzzz-004d7000 r-xp 00000000 fe:00 9979363    /sbin/goinit":       false,
		"": false,
	} {
		if _, _, got := readOnlyMappingOf([]byte(line), exe); got != want {
			t.Errorf("%q: dropped %v, want %v", line, got, want)
		}
	}
}
