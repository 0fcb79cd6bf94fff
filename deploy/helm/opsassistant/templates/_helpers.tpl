{{/* Release-scoped name, at most 63 characters (a DNS label). */}}
{{- define "opsassistant.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "opsassistant.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "opsassistant.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "opsassistant.secretName" -}}
{{- if .Values.existingSecret -}}
{{- .Values.existingSecret -}}
{{- else -}}
{{- include "opsassistant.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Fails the install, not the pods, when the exposure guard would refuse to start. */}}
{{- define "opsassistant.checkSecrets" -}}
{{- if and (not .Values.existingSecret) (ne (index .Values.config "OpsAssistant__Security__AllowAnonymous" | default "false" | toString) "true") -}}
{{- if not (index .Values.secretEnv "OpsAssistant__Security__ApiKeys__0") -}}
{{- fail "secretEnv.OpsAssistant__Security__ApiKeys__0 is required (an API key of 16 characters or more), or set existingSecret" -}}
{{- end -}}
{{- if not (or (index .Values.secretEnv "OpsAssistant__Security__WebhookToken") (index .Values.secretEnv "OpsAssistant__Security__WebhookHmacSecret")) -}}
{{- fail "secretEnv.OpsAssistant__Security__WebhookToken or secretEnv.OpsAssistant__Security__WebhookHmacSecret is required, or set existingSecret" -}}
{{- end -}}
{{- end -}}
{{- end -}}
