"""Structure checks of deploy/ for what no tool here validates: every YAML file parses; the compose file's services,
mounts, secrets and dependencies hold together and the images are pinned; the OpenTelemetry Collector configuration
wires every pipeline to defined components of the contrib distribution (no otelcol binary is packaged for this machine)
and points at routes OpsAssistant serves; Grafana's provisioning is well formed; the Helm chart renders (with the test
values) into the expected objects and refuses to render without the credentials the exposure guard requires."""
import glob
import importlib.util
import os
import re
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DEPLOY = os.path.join(ROOT, "deploy")
problems = []


def problem(msg):
    problems.append(msg)


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def yaml_files():
    for path in sorted(glob.glob(os.path.join(DEPLOY, "**", "*.y*ml"), recursive=True)):
        if os.sep + "templates" + os.sep in path:  # Go templates, checked by rendering below
            continue
        try:
            with open(path, encoding="utf-8") as f:
                list(yaml.safe_load_all(f))
        except yaml.YAMLError as e:
            problem(f"{os.path.relpath(path, ROOT)} is not valid YAML: {e}")


def compose():
    base = os.path.join(DEPLOY, "compose")
    doc = load(os.path.join(base, "compose.yaml"))
    services = doc.get("services", {})
    for name in ["opsassistant", "postgres", "otel-collector", "jaeger", "prometheus", "alertmanager", "grafana"]:
        if name not in services:
            problem(f"compose: no service {name}")
    for name, svc in services.items():
        image = svc.get("image", "")
        if not re.search(r":[\w.${}:-]+$", image) or image.endswith(":latest"):
            problem(f"compose: service {name} image {image!r} is not pinned to a tag")
        for dep in (svc.get("depends_on") or {}):
            if dep not in services:
                problem(f"compose: {name} depends on unknown service {dep}")
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0]
            if src.startswith("."):
                if not os.path.exists(os.path.join(base, src)):
                    problem(f"compose: {name} mounts missing {src}")
            elif src not in (doc.get("volumes") or {}):
                problem(f"compose: {name} mounts undeclared volume {src}")
        for secret in svc.get("secrets", []):
            source = secret["source"] if isinstance(secret, dict) else secret
            if source not in (doc.get("secrets") or {}):
                problem(f"compose: {name} uses undeclared secret {source}")
    env = services.get("opsassistant", {}).get("environment", {})
    for key in ["OpsAssistant__Security__ApiKeys__0", "OpsAssistant__Security__WebhookToken"]:
        if key not in env:
            problem(f"compose: opsassistant lacks {key}, so the exposure guard would stop it")
    if "healthcheck" not in services.get("opsassistant", {}):
        problem("compose: opsassistant has no health check")
    example = os.path.join(base, ".env.example")
    declared = {line.split("=", 1)[0] for line in open(example, encoding="utf-8") if "=" in line and not line.startswith("#")}
    used = set(re.findall(r"\$\{(\w+)", open(os.path.join(base, "compose.yaml"), encoding="utf-8").read()))
    for name in sorted(used - declared - {"OPSASSISTANT_IMAGE"}):
        problem(f"compose: ${{{name}}} is used but not in .env.example")
    am = load(os.path.join(base, "alertmanager.yml"))
    hooks = [w for r in am["receivers"] for w in r.get("webhook_configs", [])]
    if not any(w["url"].endswith("/webhooks/alertmanager") and w.get("send_resolved") for w in hooks):
        problem("alertmanager: no webhook to OpsAssistant's /webhooks/alertmanager with send_resolved")
    mounted = [s["target"] for s in services["alertmanager"].get("secrets", []) if isinstance(s, dict)]
    for w in hooks:
        cred = w.get("http_config", {}).get("authorization", {}).get("credentials_file", "")
        if cred and os.path.basename(cred) not in mounted:
            problem(f"alertmanager: credentials_file {cred} is not a mounted secret")


# Components of the OpenTelemetry Collector contrib distribution this configuration may use.
KNOWN = {
    "receivers": {"otlp", "jaeger", "zipkin", "prometheus", "spanmetrics"},
    "processors": {"batch", "memory_limiter", "attributes", "resource", "tail_sampling", "probabilistic_sampler", "transform", "filter"},
    "exporters": {"otlp", "otlphttp", "prometheus", "debug", "spanmetrics"},
    "connectors": {"spanmetrics", "servicegraph", "forward"},
    "extensions": {"health_check", "jaegerremotesampling", "pprof", "zpages"},
}
# Routes OpsAssistant serves that the Collector calls (see README's HTTP table).
ROUTES = {"/v1/traces", "/api/sampling/strategies", "/api/sampling"}


def collector():
    cfg = load(os.path.join(DEPLOY, "compose", "otel-collector.yaml"))
    defined = {}
    for section in KNOWN:
        defined[section] = set((cfg.get(section) or {}).keys())
        for component in defined[section]:
            kind = component.split("/")[0]
            if kind not in KNOWN[section]:
                problem(f"collector: unknown {section[:-1]} type {kind!r}")
    svc = cfg.get("service", {})
    for ext in svc.get("extensions", []):
        if ext not in defined["extensions"]:
            problem(f"collector: service extension {ext} is not defined")
    used_as_exporter, used_as_receiver = set(), set()
    for name, pipe in svc.get("pipelines", {}).items():
        signal = name.split("/")[0]
        if signal not in ("traces", "metrics", "logs"):
            problem(f"collector: pipeline {name} has no signal type")
        for section, key in [("receivers", "receivers"), ("processors", "processors"), ("exporters", "exporters")]:
            for component in pipe.get(key, []):
                is_connector = component in defined["connectors"]
                if component not in defined[section] and not (is_connector and section != "processors"):
                    problem(f"collector: pipeline {name} uses undefined {section[:-1]} {component}")
                if is_connector and section == "exporters":
                    used_as_exporter.add(component)
                if is_connector and section == "receivers":
                    used_as_receiver.add(component)
        if not pipe.get("receivers") or not pipe.get("exporters"):
            problem(f"collector: pipeline {name} needs receivers and exporters")
    for connector in defined["connectors"]:
        if connector not in used_as_exporter or connector not in used_as_receiver:
            problem(f"collector: connector {connector} must end one pipeline and start another")
    sampling = (cfg.get("extensions") or {}).get("jaegerremotesampling", {})
    source = sampling.get("source", {})
    if "file" not in source or not source["file"].startswith("http"):
        problem("collector: jaegerremotesampling must read OpsAssistant's strategies over HTTP (source.file)")
    elif re.sub(r"^https?://[^/]+", "", source["file"]) not in ROUTES:
        problem(f"collector: {source['file']} is no OpsAssistant route")
    for name, exporter in (cfg.get("exporters") or {}).items():
        url = exporter.get("traces_endpoint") if isinstance(exporter, dict) else None
        if url and "opsassistant" in url and re.sub(r"^https?://[^/]+", "", url) not in ROUTES:
            problem(f"collector: exporter {name} posts to {url}, no OpsAssistant route")
        if url and "opsassistant" in url and "X-Api-Key" not in (exporter.get("headers") or {}):
            problem(f"collector: exporter {name} sends no X-Api-Key, which OpsAssistant requires once API keys are set")


def grafana():
    doc = load(os.path.join(DEPLOY, "compose", "grafana", "provisioning", "datasources", "datasources.yaml"))
    sources = {d["name"]: d for d in doc.get("datasources", [])}
    if doc.get("apiVersion") != 1 or not any(d["type"] in ("jaeger", "tempo") for d in sources.values()):
        problem("grafana: needs apiVersion 1 and a Jaeger or Tempo data source")
    uids = {d.get("uid") for d in sources.values()}
    links = [x for d in sources.values() for x in d.get("jsonData", {}).get("exemplarTraceIdDestinations", [])]
    if not any("?traceId=$${__value.raw}" in x.get("url", "") for x in links):
        problem("grafana: no exemplar link to OpsAssistant's ?traceId= page (with $$ escaping)")
    for x in links:
        if "datasourceUid" in x and x["datasourceUid"] not in uids:
            problem(f"grafana: exemplar link to unknown data source {x['datasourceUid']}")


def helm():
    spec = importlib.util.spec_from_file_location("helm_template", os.path.join(ROOT, ".ci", "helm-template.py"))
    ht = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ht)
    chart = os.path.join(DEPLOY, "helm", "opsassistant")
    meta = load(os.path.join(chart, "Chart.yaml"))
    for key in ["apiVersion", "name", "version", "appVersion"]:
        if key not in meta:
            problem(f"helm: Chart.yaml lacks {key}")
    docs, notes = ht.render_chart(chart, [os.path.join(chart, "ci", "test-values.yaml")])
    objects = []
    for name, text in docs:
        try:
            obj = yaml.safe_load(text)
        except yaml.YAMLError as e:
            problem(f"helm: {name} renders to invalid YAML: {e}")
            continue
        if obj:
            objects.append(obj)
    kinds = sorted(o["kind"] for o in objects)
    expected = ["ConfigMap", "Deployment", "Deployment", "Ingress", "PodDisruptionBudget", "PodDisruptionBudget", "Secret", "Service"]
    if kinds != expected:
        problem(f"helm: rendered {kinds}, expected {expected}")
    deployments = {o["metadata"]["labels"]["app.kubernetes.io/component"]: o for o in objects if o["kind"] == "Deployment"}
    for tier, run_worker in [("web", "false"), ("worker", "true")]:
        d = deployments.get(tier)
        if not d:
            continue
        pod = d["spec"]["template"]["spec"]
        c = pod["containers"][0]
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        if env.get("OpsAssistant__Webhooks__RunWorker") != run_worker:
            problem(f"helm: {tier} tier has RunWorker={env.get('OpsAssistant__Webhooks__RunWorker')}, expected {run_worker}")
        if c["livenessProbe"]["httpGet"]["path"] != "/healthz" or c["readinessProbe"]["httpGet"]["path"] != "/readyz":
            problem(f"helm: {tier} probes are not /healthz and /readyz")
        if not c.get("resources", {}).get("requests"):
            problem(f"helm: {tier} has no resource requests")
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            problem(f"helm: {tier} does not require a non-root user")
        if d["spec"]["selector"]["matchLabels"].items() - d["spec"]["template"]["metadata"]["labels"].items():
            problem(f"helm: {tier} selector does not match its pod labels")
    service = next((o for o in objects if o["kind"] == "Service"), None)
    if service and service["spec"]["selector"].get("app.kubernetes.io/component") != "web":
        problem("helm: the Service must select the web tier only")
    secret = next((o for o in objects if o["kind"] == "Secret"), {})
    if "OpsAssistant__Security__ApiKeys__0" not in secret.get("stringData", {}):
        problem("helm: the Secret lacks the API key")
    if "/webhooks/alertmanager" not in notes:
        problem("helm: NOTES.txt does not name the webhook URL")
    try:
        ht.render_chart(chart, [])
        problem("helm: rendering without an API key succeeded; the chart must refuse it as the exposure guard would")
    except ht.TemplateError as e:
        if "OpsAssistant__Security__ApiKeys__0" not in str(e):
            problem(f"helm: rendering without secrets failed for another reason: {e}")


def main():
    for check in (yaml_files, compose, collector, grafana, helm):
        try:
            check()
        except Exception as e:  # a check that cannot even read its input is a failure, named
            problem(f"{check.__name__}: {type(e).__name__}: {e}")
    for p in problems:
        print(f"deploy-check: {p}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
