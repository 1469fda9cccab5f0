#!/usr/bin/env bash
# End-to-end run of jVisor on a kind cluster: create the cluster, load the operator and node agent
# images from their tars, helm install the chart, wait until the node agent labels the node
# ready, label a namespace untrusted, apply a SandboxPolicy, run a pod and prove it runs in jVisor,
# prove a pod asking for another runtime is rejected, helm uninstall, and prove the node's
# containerd config is back to what it was.
#
# Needs: docker (a daemon that answers), kind, kubectl, helm; the images built as OCI/Docker tars.
# Settings (environment):
#   JVISOR_OPERATOR_IMAGE_TAR    default images/target/jvisor-operator-<chart appVersion>.oci.tar
#   JVISOR_NODE_AGENT_IMAGE_TAR  default images/target/jvisor-node-agent-<chart appVersion>.oci.tar
#   JVISOR_OPERATOR_IMAGE        image name inside the operator tar (read from the tar if unset)
#   JVISOR_NODE_AGENT_IMAGE      image name inside the node agent tar (read from the tar if unset)
#   JVISOR_KIND_CLUSTER          cluster name, default jvisor-e2e (an existing one is refused)
#   JVISOR_KIND_NODE_IMAGE       kind node image (kind's default if unset)
#   JVISOR_KIND_KEEP=true        keep the cluster afterwards for inspection
# Exit status: 0 passed, 1 a check failed, 2 a prerequisite is missing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
e2e="$repo/kind-tests/e2e"
cluster=${JVISOR_KIND_CLUSTER:-jvisor-e2e}
# The images module names its archives by the tag the chart's defaults use: its appVersion
# (read with bash alone: the missing-tools check below must be able to run with no tools at all).
app_version=
while IFS= read -r line; do
  if [[ $line =~ ^appVersion:[[:space:]]*\"?([^\"[:space:]]+) ]]; then app_version=${BASH_REMATCH[1]}; fi
done < "$repo/charts/jvisor/Chart.yaml"
operator_tar=${JVISOR_OPERATOR_IMAGE_TAR:-$repo/images/target/jvisor-operator-$app_version.oci.tar}
agent_tar=${JVISOR_NODE_AGENT_IMAGE_TAR:-$repo/images/target/jvisor-node-agent-$app_version.oci.tar}
release=jvisor
system_ns=jvisor-system
test_ns=jvisor-e2e-untrusted
node="$cluster-control-plane"

source "$e2e/lib.sh"

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || missing "$tool is not on PATH"
done
timeout 20 docker info >/dev/null 2>&1 || missing "no Docker daemon answers 'docker info'"
for tar in "$operator_tar" "$agent_tar"; do
  [[ -f $tar ]] || missing "image tar $tar not found (build the images first; see kind-tests/README.md)"
done
if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  missing "a kind cluster named $cluster already exists; delete it or set JVISOR_KIND_CLUSTER"
fi

operator_image=${JVISOR_OPERATOR_IMAGE:-$(image_in_tar "$operator_tar")}
agent_image=${JVISOR_NODE_AGENT_IMAGE:-$(image_in_tar "$agent_tar")}
kubectl_() { kubectl --context "kind-$cluster" "$@"; }
helm_() { helm --kube-context "kind-$cluster" "$@"; }

cleanup() {
  local status=$?
  if [[ $status -ne 0 ]]; then
    log "diagnostics follow"
    kubectl_ get pods -A -o wide >&2 || true
    kubectl_ -n "$system_ns" logs -l app.kubernetes.io/name=jvisor-node-agent --tail=80 >&2 || true
    kubectl_ -n "$system_ns" logs -l app.kubernetes.io/name=jvisor-operator --tail=80 >&2 || true
    kubectl_ get events -A --sort-by=.lastTimestamp 2>/dev/null | tail -n 40 >&2 || true
  fi
  if [[ ${JVISOR_KIND_KEEP:-false} == true ]]; then
    log "keeping cluster $cluster (kind delete cluster --name $cluster)"
  else
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  exit "$status"
}

log "creating kind cluster $cluster"
# The name was checked to be free above, so a half-created cluster is ours to delete.
trap cleanup EXIT
kind create cluster --name "$cluster" ${JVISOR_KIND_NODE_IMAGE:+--image "$JVISOR_KIND_NODE_IMAGE"} --wait 180s

# containerd's whole configuration directory: config.toml and any drop-ins (containerd 2.x
# takes the runtime as conf.d/jvisor.toml plus an imports entry), names and contents.
containerd_config_digest() {
  docker exec "$node" sh -c 'cd /etc/containerd && find . -type f | LC_ALL=C sort | xargs sha256sum' \
    | sha256sum | cut -d' ' -f1
}
config_before=$(containerd_config_digest)
log "node containerd configuration digest $config_before"

log "loading $operator_image and $agent_image"
kind load image-archive "$operator_tar" --name "$cluster"
kind load image-archive "$agent_tar" --name "$cluster"

log "helm install"
helm_ install "$release" "$repo/charts/jvisor" --namespace "$system_ns" --create-namespace \
  --set operator.replicas=1 \
  --set operator.image.repository="$(repository "$operator_image")" \
  --set operator.image.tag="$(tag "$operator_image")" \
  --set operator.image.pullPolicy=Never \
  --set nodeAgent.image.repository="$(repository "$agent_image")" \
  --set nodeAgent.image.tag="$(tag "$agent_image")" \
  --set nodeAgent.image.pullPolicy=Never \
  --wait --timeout 10m
pass "helm install"

version=$(wait_for 300 "the node agent's jvisor.dev/runtime-ready label" \
  kubectl_ get node "$node" -o 'jsonpath={.metadata.labels.jvisor\.dev/runtime-ready}')
pass "node $node labelled jvisor.dev/runtime-ready=$version"
[[ $(containerd_config_digest) != "$config_before" ]] \
  || fail "the agent labelled the node ready without changing containerd's config"

kubectl_ get sandboxpolicy default >/dev/null || fail "the chart's default SandboxPolicy is missing"
wait_for 120 "RuntimeClass jvisor" kubectl_ get runtimeclass jvisor -o 'jsonpath={.handler}' >/dev/null
pass "default policy and RuntimeClass jvisor present"

kubectl_ create namespace "$test_ns"
kubectl_ label namespace "$test_ns" jvisor.dev/untrusted=true jvisor.dev/e2e=true
kubectl_ apply -f "$e2e/sandbox-policy.yaml"
wait_for 120 "RuntimeClass jvisor-e2e" kubectl_ get runtimeclass jvisor-e2e -o 'jsonpath={.handler}' >/dev/null
pass "SandboxPolicy e2e applied, RuntimeClass jvisor-e2e created"

kubectl_ -n "$test_ns" apply -f "$e2e/probe-pod.yaml"
class=$(kubectl_ -n "$test_ns" get pod kernel-probe -o 'jsonpath={.spec.runtimeClassName}')
[[ $class == jvisor-e2e ]] || fail "pod got runtimeClassName '$class', expected jvisor-e2e"
terminal_phase() {
  kubectl_ -n "$test_ns" get pod kernel-probe -o 'jsonpath={.status.phase}' | grep -xE 'Succeeded|Failed'
}
phase=$(wait_for 300 "pod kernel-probe to finish" terminal_phase)
output=$(kubectl_ -n "$test_ns" logs kernel-probe)
printf '%s\n' "$output" | sed 's/^/  pod: /' >&2
[[ $phase == Succeeded ]] || fail "pod kernel-probe ended $phase"
grep -qx 'uname=4.4.0' <<<"$output" || fail "uname -r is not the Sentry's 4.4.0"
grep -q '^Linux version 4.4.0.*jVisor' <<<"$output" || fail "/proc/version does not name jVisor"
grep -q 'Starting jVisor' <<<"$output" || fail "dmesg lacks the Sentry's 'Starting jVisor' banner"
pass "pod ran in jVisor (uname, /proc/version, dmesg)"

kubectl_ apply -f "$e2e/runc-runtimeclass.yaml"
if rejection=$(kubectl_ -n "$test_ns" apply -f "$e2e/opt-out-pod.yaml" 2>&1); then
  fail "a pod with runtimeClassName e2e-runc was admitted in an enforced namespace"
fi
grep -q 'denied the request' <<<"$rejection" || fail "opt-out pod failed for another reason: $rejection"
grep -q 'SandboxPolicy e2e' <<<"$rejection" || fail "the rejection does not name the policy: $rejection"
pass "pod asking for another runtime rejected: $rejection"

kubectl_ delete namespace "$test_ns" --wait --timeout=180s
kubectl_ delete sandboxpolicy e2e --wait --timeout=120s
kubectl_ delete runtimeclass e2e-runc

log "helm uninstall"
helm_ uninstall "$release" --namespace "$system_ns" --wait --timeout 10m
pass "helm uninstall"

label=$(kubectl_ get node "$node" -o 'jsonpath={.metadata.labels.jvisor\.dev/runtime-ready}')
[[ -z $label ]] || fail "node still labelled jvisor.dev/runtime-ready=$label"
config_after=$(containerd_config_digest)
[[ $config_after == "$config_before" ]] || fail "containerd configuration not restored ($config_after != $config_before)"
docker exec "$node" test ! -e /opt/jvisor/current || fail "/opt/jvisor/current left on the node"
docker exec "$node" systemctl is-active --quiet containerd || fail "containerd is not running after uninstall"
if kubectl_ get runtimeclass jvisor >/dev/null 2>&1; then fail "RuntimeClass jvisor left behind"; fi
pass "node restored: label gone, /etc/containerd byte-identical, runtime files removed, containerd active"

log "PASSED"
