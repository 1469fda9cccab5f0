{{/* The prefix of every object name; the operator is told the resulting names through its env. */}}
{{- define "jvisor.fullname" -}}
{{- default "jvisor" .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "jvisor.operator.name" -}}{{ include "jvisor.fullname" . }}-operator{{- end -}}
{{- define "jvisor.operator.webhookService" -}}{{ include "jvisor.fullname" . }}-operator-webhook{{- end -}}
{{- define "jvisor.operator.metricsService" -}}{{ include "jvisor.fullname" . }}-operator-metrics{{- end -}}
{{- define "jvisor.operator.tlsSecret" -}}{{ include "jvisor.fullname" . }}-operator-webhook-tls{{- end -}}
{{- define "jvisor.operator.lease" -}}{{ include "jvisor.fullname" . }}-operator-leader{{- end -}}
{{- define "jvisor.nodeAgent.name" -}}{{ include "jvisor.fullname" . }}-node-agent{{- end -}}
{{- define "jvisor.hooks.name" -}}{{ include "jvisor.fullname" . }}-hooks{{- end -}}

{{/* Labels on every object. */}}
{{- define "jvisor.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: jvisor
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component; stable across upgrades (selectors are immutable). */}}
{{- define "jvisor.selectorLabels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* repository:tag or repository@digest; the tag defaults to the chart's appVersion. */}}
{{- define "jvisor.image" -}}
{{- if .image.digest -}}
{{ .image.repository }}@{{ .image.digest }}
{{- else -}}
{{ .image.repository }}:{{ default .root.Chart.AppVersion .image.tag }}
{{- end -}}
{{- end -}}

{{/*
Namespaces the admission webhooks never see: the control plane's, the release's own (the operator
must always be able to start, even when its webhook is down), and any the user adds.
*/}}
{{- define "jvisor.exemptNamespaces" -}}
{{- $names := list "kube-system" "kube-node-lease" .Release.Namespace -}}
{{- range .Values.operator.extraExemptNamespaces }}{{ $names = append $names . }}{{ end -}}
{{- toJson (uniq $names) -}}
{{- end -}}

{{/* The cert-manager Certificate whose CA the injector copies into the webhook configurations. */}}
{{- define "jvisor.webhook.certificate" -}}{{ include "jvisor.fullname" . }}-operator-webhook{{- end -}}

{{- define "jvisor.webhook.annotations" -}}
{{- if eq .Values.webhook.certMode "cert-manager" }}
annotations:
  cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "jvisor.webhook.certificate" . }}
{{- end }}
{{- end -}}

{{/* Fails the render with a clear message on values the chart cannot honour. */}}
{{- define "jvisor.validate" -}}
{{- if not (has .Values.webhook.certMode (list "self-signed" "cert-manager")) -}}
{{- fail (printf "webhook.certMode must be self-signed or cert-manager, not %q" .Values.webhook.certMode) -}}
{{- end -}}
{{- if not (has .Values.webhook.failurePolicy (list "Fail" "Ignore")) -}}
{{- fail (printf "webhook.failurePolicy must be Fail or Ignore, not %q" .Values.webhook.failurePolicy) -}}
{{- end -}}
{{- if not (has .Values.nodeAgent.containerd.flavour (list "auto" "containerd" "k3s" "rke2")) -}}
{{- fail (printf "nodeAgent.containerd.flavour must be auto, containerd, k3s or rke2, not %q" .Values.nodeAgent.containerd.flavour) -}}
{{- end -}}
{{- if not (has .Values.defaultPolicy.enforcement (list "Enforce" "Audit")) -}}
{{- fail (printf "defaultPolicy.enforcement must be Enforce or Audit, not %q" .Values.defaultPolicy.enforcement) -}}
{{- end -}}
{{- range $key, $path := dict "nodeAgent.installDir" .Values.nodeAgent.installDir "nodeAgent.runtimeDir" .Values.nodeAgent.runtimeDir "nodeAgent.containerd.configPath" .Values.nodeAgent.containerd.configPath "nodeAgent.hostRootMountPath" .Values.nodeAgent.hostRootMountPath -}}
{{- if not (hasPrefix "/" $path) -}}
{{- fail (printf "%s must be an absolute path, not %q" $key $path) -}}
{{- end -}}
{{- if or (contains "/../" (printf "%s/" $path)) (eq $path "/") -}}
{{- fail (printf "%s must name a directory below / without '..', not %q" $key $path) -}}
{{- end -}}
{{- end -}}
{{- /* Names end up unquoted in object names and in the policy the install job applies: only DNS names pass. */ -}}
{{- $dnsLabel := "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" -}}
{{- $dnsSubdomain := "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" -}}
{{- range $key, $name := dict "runtime.handler" .Values.runtime.handler "fullnameOverride" (include "jvisor.fullname" .) -}}
{{- if not (regexMatch $dnsLabel (toString $name)) -}}
{{- fail (printf "%s must be a DNS label (lower-case letters, digits and '-'), not %q" $key $name) -}}
{{- end -}}
{{- end -}}
{{- range $key, $name := dict "defaultPolicy.name" .Values.defaultPolicy.name "defaultPolicy.runtimeClassName" .Values.defaultPolicy.runtimeClassName -}}
{{- if or (not (regexMatch $dnsSubdomain (toString $name))) (gt (len (toString $name)) 253) -}}
{{- fail (printf "%s must be a DNS subdomain name, not %q" $key $name) -}}
{{- end -}}
{{- end -}}
{{- if or (lt (int .Values.webhook.timeoutSeconds) 1) (gt (int .Values.webhook.timeoutSeconds) 30) -}}
{{- fail (printf "webhook.timeoutSeconds must be between 1 and 30, not %v" .Values.webhook.timeoutSeconds) -}}
{{- end -}}
{{- end -}}

{{/* Pod settings shared by the install/uninstall jobs. */}}
{{- define "jvisor.hooks.podSpec" -}}
serviceAccountName: {{ include "jvisor.hooks.name" . }}
restartPolicy: OnFailure
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  seccompProfile:
    type: RuntimeDefault
{{- with .Values.operator.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.operator.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Image and hardening of one kubectl container in a hook job; kubectl keeps its discovery cache
under $HOME, which is the pod's writable /tmp (the root filesystem is read-only).
*/}}
{{- define "jvisor.hooks.container" -}}
image: {{ .Values.hooks.image.repository }}:{{ .Values.hooks.image.tag }}
imagePullPolicy: {{ .Values.hooks.image.pullPolicy }}
env:
  - name: HOME
    value: /tmp
resources:
  {{- toYaml .Values.hooks.resources | nindent 2 }}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
{{- end -}}
