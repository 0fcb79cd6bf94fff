{{/* One tier's Deployment; called with (dict "root" $ "tier" "web" "values" .Values.web). */}}
{{- define "opsassistant.deployment" -}}
{{- $root := .root -}}
{{- $name := printf "%s-%s" (include "opsassistant.fullname" $root) .tier -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "opsassistant.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .tier }}
spec:
  replicas: {{ .values.replicas }}
  selector:
    matchLabels:
      {{- include "opsassistant.selector" $root | nindent 6 }}
      app.kubernetes.io/component: {{ .tier }}
  template:
    metadata:
      labels:
        {{- include "opsassistant.selector" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .tier }}
      annotations:
        checksum/config: {{ toYaml $root.Values.config | sha256sum }}
        checksum/secret: {{ toYaml $root.Values.secretEnv | sha256sum }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: 45
      containers:
        - name: opsassistant
          image: {{ printf "%s:%s" $root.Values.image.repository ($root.Values.image.tag | default $root.Chart.AppVersion) | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "opsassistant.fullname" $root }}
            - secretRef:
                name: {{ include "opsassistant.secretName" $root }}
          env:
            {{- range $key, $value := .values.config }}
            - name: {{ $key }}
              value: {{ $value | quote }}
            {{- end }}
            {{- with $root.Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          livenessProbe:
            httpGet: {path: {{ $root.Values.probes.liveness.path }}, port: http}
            periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet: {path: {{ $root.Values.probes.readiness.path }}, port: http}
            periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $root.Values.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
          startupProbe:
            httpGet: {path: {{ $root.Values.probes.startup.path }}, port: http}
            periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            # Read-only root: the runtime's temporary files and the app user's home get scratch space.
            - name: tmp
              mountPath: /tmp
            - name: home
              mountPath: /home/app
      volumes:
        - name: tmp
          emptyDir: {}
        - name: home
          emptyDir: {}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
