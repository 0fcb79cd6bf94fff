"""Checks the OpsAssistant container image configuration, either as the SDK computes it (`computed <msbuild-json>`, from
`dotnet msbuild -t:ComputeContainerConfig -getProperty/-getItem`) or as written into an image tarball (`archive <tar>`,
Docker or OCI layout). Exits non-zero naming every mismatch."""
import json
import sys
import tarfile

USER = "1654"
PORT = "8080/tcp"
WORKDIR = "/app/"
COMMAND = ["dotnet", "/app/OpsAssistant.Server.dll"]
ENV = {"ASPNETCORE_HTTP_PORTS": "8080", "OpsAssistant__Storage__Path": "/home/app/data/opsassistant.db"}
LABELS = {
    "org.opencontainers.image.title": "OpsAssistant",
    "io.opsassistant.volume": "/home/app",
    "io.opsassistant.probe.liveness": "http://:8080/healthz",
    "io.opsassistant.probe.readiness": "http://:8080/readyz",
}
VERSION_LABEL = "org.opencontainers.image.version"


def check(config, version):
    """config: {user, ports, workdir, command, env, labels}; returns the list of problems."""
    problems = []
    if config["user"] != USER:
        problems.append(f"user is {config['user']!r}, expected the non-root {USER}")
    if PORT not in config["ports"]:
        problems.append(f"exposed ports {sorted(config['ports'])} lack {PORT}")
    if config["workdir"].rstrip("/") != WORKDIR.rstrip("/"):
        problems.append(f"working directory is {config['workdir']!r}, expected {WORKDIR}")
    if config["command"][-len(COMMAND):] != COMMAND:
        problems.append(f"entrypoint is {config['command']}, expected it to end in {COMMAND}")
    for key, value in ENV.items():
        if config["env"].get(key) != value:
            problems.append(f"environment {key}={config['env'].get(key)!r}, expected {value!r}")
    for key, value in LABELS.items():
        if config["labels"].get(key) != value:
            problems.append(f"label {key}={config['labels'].get(key)!r}, expected {value!r}")
    if version and config["labels"].get(VERSION_LABEL) != version:
        problems.append(f"label {VERSION_LABEL}={config['labels'].get(VERSION_LABEL)!r}, expected {version!r}")
    return problems


def computed(path):
    data = json.load(open(path, encoding="utf-8"))
    props, items = data["Properties"], data["Items"]
    tags = [i["Identity"] for i in items.get("ContainerImageTags", [])]
    config = {
        "user": props["ContainerUser"],
        "ports": {f"{i['Identity']}/{i.get('Type') or 'tcp'}" for i in items.get("ContainerPort", [])},
        "workdir": props["ContainerWorkingDirectory"],
        "command": [i["Identity"] for i in items.get("ContainerAppCommand", [])],
        "env": {i["Identity"]: i.get("Value", "") for i in items.get("ContainerEnvironmentVariables", [])},
        "labels": {i["Identity"]: i.get("Value", "") for i in items.get("ContainerLabel", [])},
    }
    problems = check(config, props["VersionPrefix"])
    if props["VersionPrefix"] not in tags:
        problems.append(f"image tags {tags} lack the version {props['VersionPrefix']}")
    if not props["ContainerBaseImage"].startswith("mcr.microsoft.com/dotnet/aspnet:"):
        problems.append(f"base image {props['ContainerBaseImage']!r} is not the ASP.NET Core runtime image")
    return problems


def archive(path):
    with tarfile.open(path, "r:*") as tar:
        def read(name):
            return json.load(tar.extractfile(name.lstrip("./")))
        names = set(tar.getnames())
        if "manifest.json" in names:  # Docker layout
            config = read(read("manifest.json")[0]["Config"])
        else:  # OCI layout: index -> manifest -> config
            index = read("index.json")
            manifest = read("blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1])
            if "manifests" in manifest:
                manifest = read("blobs/sha256/" + manifest["manifests"][0]["digest"].split(":")[1])
            config = read("blobs/sha256/" + manifest["config"]["digest"].split(":")[1])
    c = config["config"]
    env = dict(e.split("=", 1) for e in c.get("Env", []))
    return check({
        "user": c.get("User", ""),
        "ports": set(c.get("ExposedPorts", {})),
        "workdir": c.get("WorkingDir", ""),
        "command": (c.get("Entrypoint") or []) + (c.get("Cmd") or []),
        "env": env,
        "labels": c.get("Labels", {}),
    }, None)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    problems = computed(path) if mode == "computed" else archive(path)
    for problem in problems:
        print(f"image-check: {problem}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
