#!/usr/bin/env bash
# Prints the URI of the Debian archive this machine's apt already uses for its own release
# (read from apt's index targets), for the extra sources that CI and the stand-in images
# need. No host is written down anywhere: it is the machine's own.
set -euo pipefail
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
archive() { apt-get indextargets --format '$(REPO_URI)' "Codename: $codename" | sort -u | head -1; }
uri=$(archive)
[ -n "$uri" ] || { apt-get update -q > /dev/null; uri=$(archive); }
[ -n "$uri" ] || { echo "apt has no source for $codename to take the archive from" >&2; exit 1; }
echo "${uri%/}"
