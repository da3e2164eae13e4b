#!/bin/sh
# Makes a local image holding Debian's static busybox and nothing else, for
# building and running images offline (no registry needed):
#
#	scripts/busybox-image.sh [IMAGE]     # default goinit-test/busybox
#
# Needs busybox-static (scripts/setup.sh installs it) and a docker client
# that reaches an engine ($DOCKER, or docker on PATH).
set -eu
image=${1:-goinit-test/busybox}
docker=${DOCKER:-docker}
busybox=/bin/busybox
if ! "$busybox" --list >/dev/null 2>&1 || ldd "$busybox" >/dev/null 2>&1; then
	echo "busybox-image: $busybox must be Debian's static busybox (apt-get install busybox-static)" >&2
	exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/etc"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for cmd in $("$busybox" --list); do
	[ "$cmd" = busybox ] || ln -s busybox "$root/bin/$cmd"
done
tar -C "$root" -c . | "$docker" import -c 'ENV PATH=/bin:/sbin' - "$image" >/dev/null
echo "$image"
