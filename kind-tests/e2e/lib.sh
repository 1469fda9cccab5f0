# Helpers of kind-e2e.sh, sourced by it (and by KindScriptHelpersTest, which checks them alone).
# shellcheck shell=bash

log() { printf '%s kind-e2e: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
missing() { log "cannot run: $*"; exit 2; }
pass() { log "ok: $*"; }

# Prints member $2 of tar $1, stored with or without a leading "./" (tools differ).
tar_member() { tar -xOf "$1" "$2" 2>/dev/null || tar -xOf "$1" "./$2" 2>/dev/null; }

# The image name a tar carries: Docker archives list RepoTags in manifest.json, OCI layouts
# name the image in index.json annotations.
image_in_tar() {
  local tar=$1 name
  name=$(tar_member "$tar" manifest.json | tr -d ' \n\t' | grep -o '"RepoTags":\["[^"]*"' \
    | head -n1 | sed 's/.*\["//; s/"$//' || true)
  local key
  # containerd's own annotation first; the OCI ref.name only when it is a full name, as OCI also
  # allows a bare tag there, which names nothing that can be loaded.
  for key in io.containerd.image.name org.opencontainers.image.ref.name; do
    [[ -z $name ]] || break
    name=$(tar_member "$tar" index.json | tr -d ' \n\t' | grep -o "\"$key\":\"[^\"]*\"" \
      | head -n1 | sed 's/^"[^"]*":"//; s/"$//' || true)
    [[ $name == */* ]] || name=
  done
  [[ -n $name ]] || missing "cannot read an image name from $tar; set the image name explicitly"
  printf '%s\n' "$name"
}
# repository:tag, where the repository may contain a registry port (host:5000/name:tag).
repository() { local ref=${1%@*}; [[ ${ref##*/} == *:* ]] && printf '%s\n' "${ref%:*}" || printf '%s\n' "$ref"; }
tag() { local ref=${1%@*}; [[ ${ref##*/} == *:* ]] && printf '%s\n' "${ref##*:}" || printf 'latest\n'; }

# Runs "$@" every 3 seconds until it succeeds and prints something, then prints that; after $1
# seconds fails the run, naming $2.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds)) out
  while ((SECONDS < deadline)); do
    if out=$("$@" 2>/dev/null) && [[ -n $out ]]; then
      printf '%s\n' "$out"
      return 0
    fi
    sleep 3
  done
  fail "timed out after ${seconds}s waiting for $what"
}
