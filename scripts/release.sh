#!/bin/sh
# Packages the release binaries that `make release` built with make cross:
# for each DIST/goinit-VERSION-linux-ARCH it writes a Debian package and an
# image, then SHA256SUMS over everything in DIST.
#
#	scripts/release.sh DIST VERSION COMMIT HOST_GOINIT
#
# HOST_GOINIT is a goinit the machine can run (make build's), whose --help
# becomes the man page. Every file in the packages is dated
# SOURCE_DATE_EPOCH (the commit's time: the Makefile sets it), owned by
# root, with a fixed mode, and archived in name order, so two runs on the
# same commit write the same bytes wherever and whenever they run.
#
# The image is a tar that is both an OCI image layout (index.json, blobs/)
# and what `docker save` writes (manifest.json), so `docker load` (any
# version) and `podman load` take it. It holds /sbin/goinit and nothing
# else, and is tagged goinit:VERSION.
set -eu

if [ $# -ne 4 ]; then
	echo "usage: $0 DIST VERSION COMMIT HOST_GOINIT" >&2
	exit 2
fi
dist=$1 version=$2 commit=$3 host_goinit=$4
: "${SOURCE_DATE_EPOCH:?is not set: the Makefile sets it to the commit time (git log -1 --format=%ct)}"
export SOURCE_DATE_EPOCH
# A Debian version starts with a digit; the version also goes into JSON and
# file names unquoted, so only these characters.
case $version in
[0-9]*) ;;
*) echo "release: version \"$version\" does not start with a digit (make release VERSION=X.Y.Z)" >&2; exit 2 ;;
esac
if [ -n "$(printf %s "$version" | tr -d '0-9A-Za-z.+~-')" ]; then
	echo "release: version \"$version\" has characters other than 0-9 A-Z a-z . + ~ -" >&2
	exit 2
fi

maintainer=${DEB_MAINTAINER:?is not set: the Makefile sets it, for the .debs\' Maintainer field}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022

# stamp gives every file under $1 the release's date.
stamp() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# archive writes a tar of the given names under dir $1 to stdout: name
# order, root-owned, dated SOURCE_DATE_EPOCH, no per-user or per-run fields.
archive() {
	dir=$1
	shift
	tar -C "$dir" --format=ustar --sort=name --mtime="@$SOURCE_DATE_EPOCH" \
		--owner=0 --group=0 --numeric-owner -cf - "$@"
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c <"$1" | tr -d ' '; }

# Debian's and the OCI's names for each of make cross's architectures.
debian_arch() {
	case $1 in
	armv7) echo armhf ;;
	ppc64le) echo ppc64el ;;
	amd64 | arm64 | s390x | riscv64) echo "$1" ;;
	*) echo "release: no Debian architecture for $1" >&2; return 1 ;;
	esac
}
oci_platform() {
	case $1 in
	armv7) echo '"architecture":"arm","os":"linux","variant":"v7"' ;;
	*) echo '"architecture":"'"$1"'","os":"linux"' ;;
	esac
}

# The man page: goinit --help, verbatim.
man_page() {
	printf '.TH GOINIT 8 "%s" "goinit %s" "System Administration"\n' \
		"$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" "$version"
	printf '.SH NAME\ngoinit \\- init for containers: runs a command as its child, forwards signals to it, reaps zombies\n'
	printf '.SH SYNOPSIS\n.B goinit\n[\\fIOPTIONS\\fR] [\\fB\\-\\-\\fR] \\fICOMMAND\\fR [\\fIARG\\fR...]\n'
	printf '.SH DESCRIPTION\nThe text of \\fBgoinit \\-\\-help\\fR:\n.PP\n.nf\n'
	"$host_goinit" --help | sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^[.']/\\\\\\&&/"
	printf '.fi\n'
}

# The copyright file: goinit's license, then those of what the static
# binary holds besides goinit: the Go runtime and standard library, and each
# module the binary records (go version -m).
copyright() {
	bin=$1
	printf 'goinit\n\n'
	cat LICENSE
	printf '\n/usr/bin/goinit is statically linked: it also holds the following, each\n'
	printf 'under its own license.\n'
	printf '\n-- The Go runtime and standard library (%s):\n\n' "$(go version -m "$bin" | sed -n '1s/^[^ ]* //p')"
	cat "$(go env GOROOT)/LICENSE"
	go version -m "$bin" | awk '$1 == "dep" { print $2 "@" $3 }' | while read -r mod; do
		printf '\n-- %s %s:\n\n' "${mod%@*}" "${mod#*@}"
		cat "$(go mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/LICENSE"
	done
}

# deb ARCH BINARY writes goinit_VERSION_DEBARCH.deb: /usr/bin/goinit,
# /sbin/goinit linking to it, the man page, copyright and changelog, and a
# lintian override for the one thing lintian flags: a static binary.
deb() {
	darch=$(debian_arch "$1")
	root=$work/deb-$1
	doc=$root/usr/share/doc/goinit
	mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/sbin" "$doc" "$root/usr/share/man/man8" \
		"$root/usr/share/lintian/overrides"
	install -m 0755 "$2" "$root/usr/bin/goinit"
	ln -s /usr/bin/goinit "$root/sbin/goinit"
	man_page | gzip -n -9 >"$root/usr/share/man/man8/goinit.8.gz"
	copyright "$2" >"$doc/copyright"
	printf '# Static by design: goinit runs FROM scratch and needs no libc.\ngoinit: statically-linked-binary [usr/bin/goinit]\n' \
		>"$root/usr/share/lintian/overrides/goinit"
	# A version with a hyphen is a Debian revision of an upstream one:
	# Debian names the changelog accordingly.
	changelog=changelog.gz
	case $version in *-*) changelog=changelog.Debian.gz ;; esac
	{
		printf 'goinit (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * goinit %s, built from git commit %s.\n\n' "$version" "$commit"
		printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
	} | gzip -n -9 >"$doc/$changelog"
	(cd "$root" && find usr sbin -type f | sort | xargs md5sum) >"$root/DEBIAN/md5sums"
	cat >"$root/DEBIAN/control" <<CONTROL
Package: goinit
Version: $version
Architecture: $darch
Maintainer: $maintainer
Installed-Size: $(du -sk --apparent-size "$root/usr" "$root/sbin" | awk '{ s += $1 } END { print s }')
Section: admin
Priority: optional
Description: init for containers: forwards signals, reaps zombies
 goinit runs a command as its child, forwards every signal it receives to
 the command's process group, reaps every orphan re-parented to it, and
 exits with the command's exit code. It is meant to be PID 1 of a
 container (ENTRYPOINT ["/sbin/goinit", "--"]), like tini and dumb-init,
 whose options and environment variables it also accepts.
 .
 The binary is static: it needs no other package.
CONTROL
	chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
	stamp "$root"
	dpkg-deb --root-owner-group -Zxz --threads-max=1 --build "$root" \
		"$dist/goinit_${version}_$darch.deb" >/dev/null
}

# image ARCH BINARY writes goinit-VERSION-linux-ARCH.image.tar.
image() {
	layout=$work/image-$1
	layer=$work/layer-$1
	blobs=$layout/blobs/sha256
	mkdir -p "$blobs" "$layer/sbin"
	install -m 0755 "$2" "$layer/sbin/goinit"
	stamp "$layer"
	archive "$layer" sbin >"$work/layer.tar"
	diff_id=$(sha256 "$work/layer.tar")
	gzip -n -9 <"$work/layer.tar" >"$work/layer.tar.gz"
	layer_digest=$(sha256 "$work/layer.tar.gz")
	mv "$work/layer.tar.gz" "$blobs/$layer_digest"

	created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
	labels='"org.opencontainers.image.title":"goinit","org.opencontainers.image.version":"'$version'","org.opencontainers.image.revision":"'$commit'","org.opencontainers.image.created":"'$created'","org.opencontainers.image.licenses":"MIT"'
	printf '{"created":"%s",%s,"config":{"Entrypoint":["/sbin/goinit"],"Labels":{%s}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"make release"}]}' \
		"$created" "$(oci_platform "$1")" "$labels" "$diff_id" "$created" >"$work/config.json"
	config_digest=$(sha256 "$work/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
		"$config_digest" "$(size "$work/config.json")" "$layer_digest" "$(size "$blobs/$layer_digest")" >"$work/manifest.json"
	manifest_digest=$(sha256 "$work/manifest.json")
	mv "$work/config.json" "$blobs/$config_digest"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{%s},"annotations":{"io.containerd.image.name":"docker.io/library/goinit:%s","org.opencontainers.image.ref.name":"%s"}}]}' \
		"$manifest_digest" "$(size "$work/manifest.json")" "$(oci_platform "$1")" "$version" "$version" >"$layout/index.json"
	mv "$work/manifest.json" "$blobs/$manifest_digest"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
	printf '[{"Config":"blobs/sha256/%s","RepoTags":["goinit:%s"],"Layers":["blobs/sha256/%s"]}]' \
		"$config_digest" "$version" "$layer_digest" >"$layout/manifest.json"
	chmod -R a+rX,go-w "$layout"
	stamp "$layout"
	archive "$layout" blobs index.json manifest.json oci-layout >"$dist/goinit-$version-linux-$1.image.tar"
}

found=
for bin in "$dist/goinit-$version-linux-"*; do
	[ -f "$bin" ] || continue
	arch=${bin##*-linux-}
	case $arch in *.*) continue ;; esac
	found=1
	echo "package $arch"
	deb "$arch" "$bin"
	image "$arch" "$bin"
done
if [ -z "$found" ]; then
	echo "release: no $dist/goinit-$version-linux-* binaries (make release builds them)" >&2
	exit 1
fi
(cd "$dist" && find . -maxdepth 1 -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
