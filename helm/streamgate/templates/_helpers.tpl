{{/* vim: set filetype=mustache: */}}

{{/*
The chart name. Truncated at 63 characters because Kubernetes label values and most resource
names are DNS labels (RFC 1123), which may not be longer; trimSuffix "-" because a label may
not end with a dash after truncation.
*/}}
{{- define "streamgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The full name of the release's resources. Truncated at 63 characters for the same reason as the
name. When the release name already contains the chart name ("streamgate", "streamgate-prod")
it is used alone, so resources are not called "streamgate-streamgate".
*/}}
{{- define "streamgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Chart name and version for the helm.sh/chart label. "+" is not allowed in label values, but
SemVer build metadata uses it, hence the replace.
*/}}
{{- define "streamgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels. Kept minimal and free of anything that changes between upgrades (version,
chart): a Deployment's selector is immutable, so a changing label here would make upgrades fail.
*/}}
{{- define "streamgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "streamgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Labels on every resource: the selector labels plus the recommended app.kubernetes.io set.
*/}}
{{- define "streamgate.labels" -}}
helm.sh/chart: {{ include "streamgate.chart" . }}
{{ include "streamgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: streamgate
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The ServiceAccount the pods run as. Without a created one, "default": the pods still mount no
token (automountServiceAccountToken is set on the pod too).
*/}}
{{- define "streamgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "streamgate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The image reference. A digest wins over the tag: a digest cannot be re-pushed, a tag can.
*/}}
{{- define "streamgate.image" -}}
{{- $repo := printf "%s/%s" .Values.image.registry .Values.image.repository | trimPrefix "/" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion | toString) -}}
{{- end -}}
{{- end -}}

{{/*
The Secret holding the database credentials: the existing one, or the one this chart creates.
*/}}
{{- define "streamgate.databaseSecretName" -}}
{{- default (include "streamgate.fullname" .) .Values.database.existingSecret -}}
{{- end -}}

{{/*
Whether the chart creates its Secret: for database credentials it was not given a Secret for, or
for a JWT public key given inline. Returns "true" or "".
*/}}
{{- define "streamgate.createSecret" -}}
{{- if or (not .Values.database.existingSecret) .Values.jwt.publicKey.value -}}true{{- end -}}
{{- end -}}

{{/*
Whether the JWT key is a mounted file (Secret, ConfigMap or inline value) rather than a JWKS URL.
Returns "true" or "".
*/}}
{{- define "streamgate.jwtKeyFile" -}}
{{- $k := .Values.jwt.publicKey -}}
{{- if or $k.value $k.existingSecret $k.existingConfigMap -}}true{{- end -}}
{{- end -}}

{{/*
Where the JWT key file is mounted. Outside the image's working directory, so the same path works
for the JVM image (/deployments) and the native image (/work).
*/}}
{{- define "streamgate.jwtKeyDir" -}}/etc/streamgate/jwt{{- end -}}

{{/*
Where config/application.properties (the namespaces) is mounted. Quarkus reads
$PWD/config/application.properties, and the JVM image runs in /deployments; QUARKUS_CONFIG_LOCATIONS
also points at the file so an image with another working directory (the native one: /work)
reads it too.
*/}}
{{- define "streamgate.configDir" -}}/deployments/config{{- end -}}

{{/*
A Quarkus duration as whole seconds, rounded up. Accepts what Quarkus accepts: ISO-8601
(PT10S, PT1M30S, PT0.5S), a bare number of seconds (10), or a number with a unit (500ms, 10s, 2m,
1h). Used to compute the grace period from streamgate.drain.window, so both are read the same way.
Usage: include "streamgate.durationSeconds" (dict "value" .Values.config.drain.window "key" "config.drain.window")
*/}}
{{- define "streamgate.durationSeconds" -}}
{{- $v := upper (toString .value) -}}
{{- if regexMatch "^[0-9]+(\\.[0-9]+)?$" $v -}}
{{- ceil $v | int -}}
{{- else if regexMatch "^[0-9]+MS$" $v -}}
{{- divf (trimSuffix "MS" $v) 1000 | ceil | int -}}
{{- else -}}
{{- $iso := ternary $v (printf "PT%s" $v) (hasPrefix "PT" $v) -}}
{{- if not (regexMatch "^PT([0-9]+H)?([0-9]+M)?([0-9]+(\\.[0-9]+)?S)?$" $iso) -}}
{{- fail (printf "%s: %q is not a duration; use ISO-8601 (PT10S) or a number with a unit (10s)" .key (toString .value)) -}}
{{- end -}}
{{- $h := regexFind "[0-9]+H" $iso | trimSuffix "H" | default "0" -}}
{{- $m := regexFind "[0-9]+M" $iso | trimSuffix "M" | default "0" -}}
{{- $s := regexFind "[0-9.]+S" $iso | trimSuffix "S" | default "0" -}}
{{- addf (mulf $h 3600) (mulf $m 60) $s | ceil | int -}}
{{- end -}}
{{- end -}}

{{/*
The drain window in seconds (the application's default, PT10S, when config.drain.window is unset).
*/}}
{{- define "streamgate.drainWindowSeconds" -}}
{{- $window := "PT10S" -}}
{{- if and .Values.config.drain (not (empty (toString (.Values.config.drain.window | default "")))) -}}
{{- $window = .Values.config.drain.window -}}
{{- end -}}
{{- include "streamgate.durationSeconds" (dict "value" $window "key" "config.drain.window") -}}
{{- end -}}

{{/*
The shortest grace period that lets a pod finish shutting down: the preStop sleep (still serving
while endpoints are removed), then the drain window (connections closed with 1012, spread out),
then a margin (cursors flushed to PostgreSQL, Kafka clients closed). Kubernetes kills the pod
with SIGKILL when the grace period ends, whatever is left.
*/}}
{{- define "streamgate.minimumGracePeriodSeconds" -}}
{{- add (int .Values.lifecycle.preStopSleepSeconds) (int (include "streamgate.drainWindowSeconds" .)) (int .Values.lifecycle.shutdownMarginSeconds) -}}
{{- end -}}

{{/*
The pod's terminationGracePeriodSeconds: the explicit value, or the minimum computed above.
*/}}
{{- define "streamgate.terminationGracePeriodSeconds" -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds -}}
{{- include "streamgate.minimumGracePeriodSeconds" . -}}
{{- else -}}
{{- int .Values.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end -}}

{{/*
A value for an environment variable. Helm reads numbers in values files as float64, which print
as 1.048576e+06; whole numbers are printed as integers so the application can parse them.
*/}}
{{- define "streamgate.envValue" -}}
{{- if and (kindIs "float64" .) (eq (floor .) .) -}}
{{- int64 . | toString | quote -}}
{{- else -}}
{{- toString . | quote -}}
{{- end -}}
{{- end -}}

{{/*
The STREAMGATE_* environment variables, one per value set under `config`. The name is derived
from the path, as Quarkus maps environment variables back to keys: config.connection.maxSubscriptions
-> streamgate.connection.max-subscriptions -> STREAMGATE_CONNECTION_MAX_SUBSCRIPTIONS. Empty and
null values are left out so the application's default applies.
*/}}
{{- define "streamgate.configEnv" -}}
{{- range $group, $settings := .Values.config }}
{{- if kindIs "map" $settings }}
{{- range $key, $value := $settings }}
{{- if not (or (kindIs "invalid" $value) (eq (toString $value) "")) }}
- name: {{ printf "STREAMGATE_%s_%s" (snakecase $group) (snakecase $key) | upper }}
  value: {{ include "streamgate.envValue" $value }}
{{- end }}
{{- end }}
{{- else if not (or (kindIs "invalid" $settings) (eq (toString $settings) "")) }}
- name: {{ printf "STREAMGATE_%s" (snakecase $group) | upper }}
  value: {{ include "streamgate.envValue" $settings }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The namespaces as properties, one line per option: streamgate.namespaces."<name>".<option>=<value>.
The name is quoted because it is a map key (it could contain a dot). subject-pointer is left out
when empty; public, publish and presence are rendered when present (true or false) and left out
otherwise, so the application's default (false) applies.
*/}}
{{- define "streamgate.namespaceProperties" -}}
{{- range $name, $ns := .Values.namespaces }}
{{- $prefix := printf "streamgate.namespaces.%q" $name }}
{{ $prefix }}.topic={{ $ns.topic }}
{{- if $ns.subjectPointer }}
{{ $prefix }}.subject-pointer={{ $ns.subjectPointer }}
{{- end }}
{{- range $option := list "public" "publish" "presence" }}
{{- if hasKey $ns $option }}
{{ $prefix }}.{{ $option }}={{ index $ns $option }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Checks the values for contradictions and missing settings, and stops the rendering with every
problem listed at once (rather than one per attempt). Included from NOTES.txt, which Helm renders
on install, upgrade and template. `helm lint` renders in lint mode, where fail only logs, so the
chart lints with its defaults even though they are incomplete.
*/}}
{{- define "streamgate.validateValues" -}}
{{- $errors := list -}}
{{- if not .Values.kafka.bootstrapServers -}}
{{- $errors = append $errors "kafka.bootstrapServers: set the Kafka bootstrap servers (host:port[,host:port])." -}}
{{- end -}}
{{- if not .Values.database.url -}}
{{- $errors = append $errors "database.url: set the PostgreSQL URL, postgresql://host:5432/db." -}}
{{- else if not (regexMatch "^postgres(ql)?://" .Values.database.url) -}}
{{- $errors = append $errors (printf "database.url: %q must start with postgresql:// (no \"jdbc:\"; the application derives the JDBC URL from it)." .Values.database.url) -}}
{{- end -}}
{{- if and (not .Values.database.existingSecret) (not .Values.database.password) -}}
{{- $errors = append $errors "database.password: set it, or name a Secret holding the credentials in database.existingSecret." -}}
{{- end -}}
{{- $k := .Values.jwt.publicKey -}}
{{- $keySources := compact (list $k.value $k.existingSecret $k.existingConfigMap .Values.jwt.jwksUrl) -}}
{{- if eq (len $keySources) 0 -}}
{{- $errors = append $errors "jwt: no key to verify tokens with; set one of jwt.publicKey.existingSecret, jwt.publicKey.existingConfigMap, jwt.publicKey.value or jwt.jwksUrl." -}}
{{- else if gt (len $keySources) 1 -}}
{{- $errors = append $errors "jwt: set only one of jwt.publicKey.existingSecret, jwt.publicKey.existingConfigMap, jwt.publicKey.value and jwt.jwksUrl." -}}
{{- end -}}
{{- if not .Values.jwt.issuer -}}
{{- $errors = append $errors "jwt.issuer: set the expected issuer (iss claim); without it tokens from any issuer signed by the key are accepted." -}}
{{- end -}}
{{- if not .Values.namespaces -}}
{{- $errors = append $errors "namespaces: configure at least one namespace (name -> topic); without one, clients can subscribe to nothing." -}}
{{- else -}}
{{- $topics := dict -}}
{{- range $name, $ns := .Values.namespaces -}}
{{- if hasKey $topics (toString $ns.topic) -}}
{{- $errors = append $errors (printf "namespaces: %q and %q read the same topic %q; a topic belongs to at most one namespace." (get $topics (toString $ns.topic)) $name $ns.topic) -}}
{{- end -}}
{{- $_ := set $topics (toString $ns.topic) $name -}}
{{- end -}}
{{- end -}}
{{- with .Values.config.userNamespace -}}
{{- if not (hasKey $.Values.namespaces .) -}}
{{- $errors = append $errors (printf "config.userNamespace: %q is not one of the configured namespaces." .) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- $errors = append $errors (printf "autoscaling: minReplicas (%d) is greater than maxReplicas (%d)." (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- end -}}
{{- $grace := int (include "streamgate.terminationGracePeriodSeconds" .) -}}
{{- $needed := int (include "streamgate.minimumGracePeriodSeconds" .) -}}
{{- if lt $grace $needed -}}
{{- $errors = append $errors (printf "terminationGracePeriodSeconds: %d s is shorter than preStop sleep (%d s) + drain window (%s s) + shutdown margin (%d s) = %d s; pods would be killed while draining. Raise it, or leave it null to have it computed." $grace (int .Values.lifecycle.preStopSleepSeconds) (include "streamgate.drainWindowSeconds" .) (int .Values.lifecycle.shutdownMarginSeconds) $needed) -}}
{{- end -}}
{{- if $errors -}}
{{- printf "\n\nVALUES VALIDATION:\n  - %s\n" (join "\n  - " $errors) | fail -}}
{{- end -}}
{{- end -}}
