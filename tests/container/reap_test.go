package container

import (
	"strings"
	"testing"
)

// orphanWorkload makes 50 orphans (sleeps whose parent shell has exited, so
// they are re-parented to PID 1), kills them, and waits until none is left,
// alive or zombie, or until it gives up. It prints what it saw:
// "orphans=N reparented=N left=N zombies=N".
const orphanWorkload = `
count() { # prints: sleeps alive, zombies, whose parent is PID 1
	alive=0 zombies=0 of1=0
	for f in /proc/[0-9]*/stat; do
		read -r pid comm state ppid rest < "$f" 2>/dev/null || continue
		[ "$comm" = "(sleep)" ] || continue
		if [ "$state" = Z ]; then zombies=$((zombies+1)); else alive=$((alive+1)); fi
		[ "$ppid" = 1 ] && of1=$((of1+1))
	done
	echo "$alive $zombies $of1"
}
i=0; while [ $i -lt 50 ]; do sh -c 'sleep 1000 &'; i=$((i+1)); done
# An orphan shows as a sleep once it has exec'd.
n=0
while [ $n -lt 600 ]; do
	set -- $(count); orphans=$1 reparented=$3
	[ "$orphans" = 50 ] && break
	sleep 0.05; n=$((n+1))
done
killall sleep
n=0
while [ $n -lt 600 ]; do
	set -- $(count)
	[ "$1" = 0 ] && [ "$2" = 0 ] && break
	sleep 0.05; n=$((n+1))
done
echo "orphans=$orphans reparented=$reparented left=$1 zombies=$2"`

const orphansReaped = "orphans=50 reparented=50 left=0 zombies=0"

func TestOrphansReparentedToPID1AreReaped(t *testing.T) {
	inEachMode(t, func(t *testing.T, m mode) {
		r := m.run(t, nil, nil, "sh", "-c", orphanWorkload)
		if got := strings.TrimSpace(r.stdout); r.code != 0 || got != orphansReaped {
			t.Errorf("the workload saw %q (exit %d), want %q; stderr %q", got, r.code, orphansReaped, r.stderr)
		}
	})
}

func TestPauseModeReapsForContainersSharingItsPIDNamespace(t *testing.T) {
	// The Docker counterpart of a pod's sandbox: goinit in pause mode is
	// PID 1 of a PID namespace that other containers join.
	m := fromDockerfile
	m.require(t)
	pause := m.start(t, []string{"--entrypoint", "/sbin/goinit"})
	r := m.run(t, nil, []string{"--pid", "container:" + pause.name, "--entrypoint", "sh"}, "-c", orphanWorkload)
	if got := strings.TrimSpace(r.stdout); r.code != 0 || got != orphansReaped {
		t.Errorf("the workload in the shared PID namespace saw %q (exit %d), want %q; stderr %q",
			got, r.code, orphansReaped, r.stderr)
	}
	if code := pause.stop(stopTimeout); code != 0 {
		t.Errorf("goinit in pause mode exited %d on stop, want 0; logs:\n%s", code, pause.logs())
	}
}
