{{/* Names and labels shared by every object of the release. */}}

{{- define "gauntlet.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name; a release already named after the chart is not doubled (gauntlet-gauntlet). */}}
{{- define "gauntlet.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gauntlet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gauntlet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end -}}

{{- define "gauntlet.labels" -}}
{{ include "gauntlet.selectorLabels" . }}
app.kubernetes.io/part-of: gauntlet
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "gauntlet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gauntlet.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Where the worker launches training Jobs (and so where its Role lives). */}}
{{- define "gauntlet.jobsNamespace" -}}
{{- default .Release.Namespace .Values.kubernetesExecutor.jobsNamespace -}}
{{- end -}}

{{- define "gauntlet.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Port of the storage endpoint URL: explicit, else the scheme's default. */}}
{{- define "gauntlet.storagePort" -}}
{{- $url := urlParse .Values.storage.endpoint -}}
{{- $hostPort := splitList ":" $url.host -}}
{{- if eq (len $hostPort) 2 -}}
{{- last $hostPort -}}
{{- else if eq $url.scheme "https" -}}
443
{{- else -}}
80
{{- end -}}
{{- end -}}

{{- define "gauntlet.temporalPort" -}}
{{- last (splitList ":" .Values.temporal.address) -}}
{{- end -}}
