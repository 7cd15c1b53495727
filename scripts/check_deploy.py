"""Offline checks of the deployment artefacts; run by scripts/check-deploy.sh (which installs what this needs).

  check_deploy.py dockerfile ROOT
  check_deploy.py schemas VERSIONS FILE...           every document of every FILE against the Kubernetes schemas
  check_deploy.py wiring NAME RENDERED SECRET...     cross-references inside one kustomize render
  check_deploy.py keyless NAME RENDERED SECRET...    a workload-identity render has no API key and no password
  check_deploy.py extract-config NAME RENDERED OUT ENV SECRET...  writes the config.yaml the Deployment mounts to OUT,
                                                     and to ENV the pod's environment for `proxy --check-config`

SECRET... are the Secret templates (files not applied, placeholders of the right shape) the render's Secrets stand for.

Each prints one line per check and exits 1 when any check failed.
"""
import fnmatch
import os
import re
import sys

import yaml

failures = 0


def ok(text):
    print(f"ok    {text}")


def fail(text):
    global failures
    failures += 1
    print(f"FAIL  {text}")


def documents(path):
    with open(path) as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def secret_templates(paths):
    """{Secret name: (template path, {key: placeholder})} from the templates' stringData and data."""
    import base64

    templates = {}
    for path in paths:
        for doc in documents(path):
            if doc.get("kind") == "Secret":
                values = {k: base64.b64decode(v).decode() for k, v in (doc.get("data") or {}).items()}
                values.update(doc.get("stringData") or {})
                templates[doc["metadata"]["name"]] = (path, values)
    return templates


# The AKS workload identity webhook sets these in every container of a pod labelled WORKLOAD_IDENTITY_LABEL "true"
# whose ServiceAccount carries CLIENT_ID_ANNOTATION (and leaves a variable already set alone).
WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use"
CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"
TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id"
WEBHOOK_ENV = ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST")


def workload_identity(docs, deployment):
    """The ServiceAccount the webhook would act on (None unless the pod opts in and the account is annotated)."""
    pod = deployment["spec"]["template"]
    if (pod["metadata"].get("labels") or {}).get(WORKLOAD_IDENTITY_LABEL) != "true":
        return None
    name = pod["spec"].get("serviceAccountName") or "default"
    account = next((d for d in docs if d["kind"] == "ServiceAccount" and d["metadata"]["name"] == name), None)
    annotations = (account or {}).get("metadata", {}).get("annotations") or {}
    return account if annotations.get(CLIENT_ID_ANNOTATION) else None


def pod_environment(docs, deployment, templates):
    """The proxy container's environment as the kubelet would build it (envFrom, then env over it), the Secrets
    taken from their templates, plus what the workload identity webhook injects. Returns (env, problems)."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    configmaps = {d["metadata"]["name"]: d.get("data") or {} for d in docs if d["kind"] == "ConfigMap"}
    env, problems = {}, []
    for source in container.get("envFrom", []):
        prefix = source.get("prefix", "")
        if "secretRef" in source:
            name = source["secretRef"]["name"]
            if name in templates:
                env.update({prefix + k: v for k, v in templates[name][1].items()})
            elif not source["secretRef"].get("optional"):
                problems.append(f"envFrom Secret {name} has no template")
        elif "configMapRef" in source:
            env.update({prefix + k: v for k, v in configmaps.get(source["configMapRef"]["name"], {}).items()})
    for variable in container.get("env", []):
        name, source = variable["name"], variable.get("valueFrom") or {}
        if "value" in variable:
            env[name] = variable["value"]
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            value = templates.get(ref["name"], (None, {}))[1].get(ref["key"])
            if value is not None:
                env[name] = value
            elif not ref.get("optional"):
                problems.append(f"env {name}: Secret {ref['name']} key {ref['key']} has no template")
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            if ref["key"] in configmaps.get(ref["name"], {}):
                env[name] = configmaps[ref["name"]][ref["key"]]
    account = workload_identity(docs, deployment)
    if account:
        annotations = account["metadata"]["annotations"]
        injected = {
            "AZURE_CLIENT_ID": annotations[CLIENT_ID_ANNOTATION],
            "AZURE_TENANT_ID": annotations.get(TENANT_ID_ANNOTATION, "00000000-0000-0000-0000-000000000000"),
            "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token",
            "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com/",
        }
        for name, value in injected.items():
            env.setdefault(name, value)
    return env, problems


# ---- Dockerfile ------------------------------------------------------------------------------------------------

def check_dockerfile(root):
    """Parses the Dockerfile with BuildKit's own parser (the `dockerfile` package), then checks what a build would
    trip over: stage references, COPY sources present in the context and not excluded by .dockerignore."""
    import dockerfile

    path = os.path.join(root, "Dockerfile")
    try:
        commands = dockerfile.parse_file(path)
    except dockerfile.GoParseError as error:
        fail(f"Dockerfile does not parse: {error}")
        return
    known = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR",
             "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL", "MAINTAINER"}
    ignored = []
    if os.path.exists(os.path.join(root, ".dockerignore")):
        with open(os.path.join(root, ".dockerignore")) as handle:
            ignored = [line.strip().rstrip("/") for line in handle if line.strip() and not line.startswith("#")]

    def excluded(relative):
        parts = relative.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(fnmatch.fnmatch(prefix, pattern.removeprefix("**/")) or fnmatch.fnmatch(prefix, pattern)
                   for pattern in ignored for prefix in prefixes)

    stages, problems, final = [], [], {}
    for command in commands:
        if command.cmd not in known:
            problems.append(f"line {command.start_line}: unknown instruction {command.cmd}")
        if command.cmd == "FROM":
            value = list(command.value)
            stages.append(value[2].lower() if len(value) == 3 and value[1].upper() == "AS" else f"stage{len(stages)}")
            final = {"from": value[0]}
        elif command.cmd in ("COPY", "ADD"):
            source_stage = next((flag.split("=", 1)[1] for flag in command.flags if flag.startswith("--from=")), None)
            if source_stage is not None:
                if source_stage.lower() not in stages[:-1]:
                    problems.append(f"line {command.start_line}: COPY --from={source_stage}: no earlier stage of that name")
                continue
            for source in command.value[:-1]:
                matches = _glob(root, source)
                if not matches:
                    problems.append(f"line {command.start_line}: COPY source {source} not in the build context")
                elif all(excluded(m) for m in matches) and source != ".":
                    problems.append(f"line {command.start_line}: COPY source {source} is excluded by .dockerignore")
        elif command.cmd in ("USER", "EXPOSE", "ENTRYPOINT", "CMD", "WORKDIR"):
            final[command.cmd] = list(command.value)
    if not excluded(".build") or not excluded(".git"):
        problems.append(".dockerignore must exclude .build and .git (huge, and .build holds host binaries)")
    for needed in ("Package.swift", "Sources", "Tests", "fixtures"):
        # Tests/ too: SwiftPM refuses a manifest whose test targets' folders are missing, even for `--product proxy`.
        if excluded(needed):
            problems.append(f".dockerignore excludes {needed}, which the build needs")
    user = (final.get("USER") or ["root"])[0].split(":")[0]
    if not user.isdigit() or user == "0":
        problems.append(f"the final stage's USER must be a numeric non-root uid (runAsNonRoot verifies it), found {user}")
    for problem in problems:
        fail(f"Dockerfile: {problem}")
    if not problems:
        ok(f"Dockerfile: {len(commands)} instructions, stages {' → '.join(stages)}, runtime {final.get('from')}, "
           f"USER {final.get('USER')[0]}, EXPOSE {' '.join(final.get('EXPOSE', []))}, "
           f"ENTRYPOINT {final.get('ENTRYPOINT')}, CMD {final.get('CMD')}")


def _glob(root, pattern):
    import glob
    hits = glob.glob(os.path.join(root, pattern.rstrip("/")))
    return [os.path.relpath(hit, root) for hit in hits]


# ---- Kubernetes schemas ----------------------------------------------------------------------------------------

def check_schemas(versions, files):
    """Strict validation (unknown fields are errors) against the schemas kubernetes-validate ships. Unlike its CLI,
    a kind without a schema is a failure here: a typo in `kind` or `apiVersion` must not pass."""
    from kubernetes_validate import utils
    from kubernetes_validate.version import __version__

    print(f"      kubernetes-validate {__version__}, strict, Kubernetes {', '.join(versions)}")
    for path in files:
        try:
            docs = documents(path)
        except yaml.YAMLError as error:
            fail(f"{path}: invalid YAML: {error}")
            continue
        if not docs:
            fail(f"{path}: no documents")
        for doc in docs:
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                fail(f"{path}: a document without kind/apiVersion")
                continue
            name = f"{doc['kind']}/{(doc.get('metadata') or {}).get('name', '?')}"
            errors = []
            for version in versions:
                try:
                    utils.validate(doc, version, strict=True)
                except utils.ValidationError:
                    errors += [f"k8s {version}: {error}" for error in _all_errors(utils, doc, version)]
                except utils.SchemaNotFoundError as error:
                    errors.append(error.message)
                except utils.VersionNotSupportedError:
                    errors.append(f"kubernetes-validate {__version__} has no schemas for Kubernetes {version}")
            if errors:
                for error in errors:
                    fail(f"{path}: {name}: {error}")
            else:
                ok(f"{path}: {name}")


def _all_errors(utils, doc, version):
    """kubernetes-validate stops at the first error; this lists them all, with the same bundled schemas."""
    import jsonschema
    from referencing import Registry, Resource

    schema_version = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)][-1]
    folder = f"kubernetes-json-schema/v{schema_version}-local-strict"
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", doc["apiVersion"])
    schema = utils.schema_contents(f"{folder}/{doc['kind'].lower()}-{api}.json", version)
    definitions = utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    validator = jsonschema.validators.Draft202012Validator(schema, registry=registry)
    return sorted(f"{'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in validator.iter_errors(doc))


# ---- cross-references in one render ----------------------------------------------------------------------------

def check_wiring(label, rendered, secret_paths):
    """What the schemas cannot see: names that must match, paths the proxy serves, the stop timing, writable paths
    under a read-only root filesystem, a PDB that would block node drains, and workload identity's pieces."""
    docs = documents(rendered)
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    templates = secret_templates(secret_paths)
    configmaps = {d["metadata"]["name"]: d for d in by_kind.get("ConfigMap", [])}
    deployments = by_kind.get("Deployment", [])
    if len(deployments) != 1:
        fail(f"{label}: expected one Deployment, found {len(deployments)}")
        return
    deployment = deployments[0]
    name = deployment["metadata"]["name"]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"].get("labels", {})
    spec = pod["spec"]
    container = spec["containers"][0]
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    checks = []

    def expect(condition, text):
        checks.append((bool(condition), text))

    selector = deployment["spec"]["selector"]["matchLabels"]
    expect(all(labels.get(k) == v for k, v in selector.items()), f"Deployment selector {selector} matches its pod labels")
    for volume in spec.get("volumes", []):
        if "configMap" in volume:
            expect(volume["configMap"]["name"] in configmaps, f"volume {volume['name']} → ConfigMap {volume['configMap']['name']} is in the render")
    for source in container.get("envFrom", []):
        if "secretRef" in source:
            secret = source["secretRef"]["name"]
            path = templates.get(secret, ("a template",))[0]
            expect(secret in templates, f"envFrom Secret {secret} is the one {path} templates")
    for variable in container.get("env", []):
        ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
        if ref:
            path, values = templates.get(ref["name"], ("no template", {}))
            expect(ref["key"] in values,
                   f"env {variable['name']} ← Secret {ref['name']} key {ref['key']}, which {path} templates")
    # Workload identity: the webhook mutates pods labelled azure.workload.identity/use: "true" and takes the client
    # id from their ServiceAccount; the label must stay out of the selector (immutable: no in-place rollout).
    accounts = {d["metadata"]["name"]: d for d in by_kind.get("ServiceAccount", [])}
    account_name = spec.get("serviceAccountName")
    if account_name:
        expect(account_name in accounts, f"serviceAccountName {account_name} is a ServiceAccount in the render")
    account = accounts.get(account_name or "default", {})
    annotated = (account.get("metadata", {}).get("annotations") or {}).get(CLIENT_ID_ANNOTATION)
    if labels.get(WORKLOAD_IDENTITY_LABEL) == "true" or annotated:
        expect(labels.get(WORKLOAD_IDENTITY_LABEL) == "true" and annotated,
               f"workload identity: pod label {WORKLOAD_IDENTITY_LABEL}: \"true\" and ServiceAccount "
               f"{account_name or 'default'} annotated {CLIENT_ID_ANNOTATION}")
        expect(WORKLOAD_IDENTITY_LABEL not in selector,
               f"workload identity: {WORKLOAD_IDENTITY_LABEL} is not in the selector")
        hand_set = [e["name"] for e in container.get("env", []) if e["name"] in WEBHOOK_ENV]
        expect(not hand_set,
               f"workload identity: the webhook's variables are not set by hand ({', '.join(hand_set) or 'none'})")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = (container.get(probe) or {}).get("httpGet")
        expect(get and get["path"] in ("/health/liveliness", "/health/liveness", "/health/readiness"),
               f"{probe} on a health path the proxy serves without auth ({get and get['path']})")
        expect(get and (get["port"] in ports or get["port"] in ports.values()), f"{probe} port {get and get['port']} is a container port")
    for service in by_kind.get("Service", []):
        sel = service["spec"].get("selector", {})
        expect(sel and all(labels.get(k) == v for k, v in sel.items()), f"Service {service['metadata']['name']} selects the proxy pods")
        for port in service["spec"]["ports"]:
            target = port.get("targetPort")
            expect(target in ports or target in ports.values(), f"Service port {port['port']} → {target} is a container port")
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        expect(hpa["spec"]["scaleTargetRef"]["name"] == name, f"HPA {hpa['metadata']['name']} targets {name}")
        expect("replicas" not in deployment["spec"], "the HPA owns replicas: the Deployment leaves spec.replicas unset")
        expect(container.get("resources", {}).get("requests", {}).get("cpu"), "CPU request set (the HPA's utilization base)")
    minimum = min([h["spec"].get("minReplicas", 1) for h in by_kind.get("HorizontalPodAutoscaler", [])] or
                  [deployment["spec"].get("replicas", 1)])
    for pdb in by_kind.get("PodDisruptionBudget", []):
        sel = pdb["spec"]["selector"]["matchLabels"]
        expect(all(labels.get(k) == v for k, v in sel.items()), f"PDB {pdb['metadata']['name']} selects the proxy pods")
        expect(pdb["spec"].get("minAvailable", 0) < minimum,
               f"PDB minAvailable {pdb['spec'].get('minAvailable')} < minimum replicas {minimum} (else node drains block)")
    # Stop timing: preStop pause + the proxy's stream grace must fit in terminationGracePeriodSeconds.
    args = container.get("args", [])
    grace = float(args[args.index("--shutdown-grace-seconds") + 1]) if "--shutdown-grace-seconds" in args else 30.0
    pre = (container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command") or [])
    pause = float(pre[1]) if len(pre) == 2 and pre[0] == "sleep" else 0.0
    period = spec.get("terminationGracePeriodSeconds", 30)
    expect(period > pause + grace, f"terminationGracePeriodSeconds {period} > preStop {pause:g} s + shutdown grace {grace:g} s")
    # Writable paths: with a read-only root filesystem every file the proxy writes must be on a mounted volume.
    security = container.get("securityContext", {})
    expect(security.get("readOnlyRootFilesystem") and security.get("allowPrivilegeEscalation") is False
           and "ALL" in security.get("capabilities", {}).get("drop", []) and spec.get("securityContext", {}).get("runAsNonRoot"),
           "runAsNonRoot, readOnlyRootFilesystem, no privilege escalation, all capabilities dropped")
    config_mount = next((m for m in container.get("volumeMounts", []) if m.get("mountPath") == _config_path(args)), None)
    expect(config_mount, f"the --config file {_config_path(args)} is mounted")
    if security.get("readOnlyRootFilesystem") and config_mount:
        volume = next(v for v in spec["volumes"] if v["name"] == config_mount["name"])
        general = yaml.safe_load(configmaps[volume["configMap"]["name"]]["data"][config_mount["subPath"]]).get("general_settings") or {}
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        sqlite = general.get("sqlite_path") or env.get("LITELLM_SQLITE_PATH") or "litellm_proxy.sqlite"
        spill = general.get("spend_spill_path") or (sqlite + ".spill.jsonl" if not general.get("database_url") else "spend-spill.jsonl")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        writable = [m["mountPath"] for m in container.get("volumeMounts", []) if not m.get("readOnly")
                    and ("emptyDir" in volumes.get(m["name"], {}) or "persistentVolumeClaim" in volumes.get(m["name"], {}))]
        for what, path in (("SQLite file", sqlite), ("spend spill file", spill)):
            expect(path.startswith("/") and any(path.startswith(w.rstrip("/") + "/") for w in writable),
                   f"{what} {path} is on a writable volume ({', '.join(writable) or 'none'})")
    for passed, text in checks:
        (ok if passed else fail)(f"{label}: {text}")


def _config_path(args):
    return args[args.index("--config") + 1] if "--config" in args else "/app/proxy_server_config.yaml"


# ---- config.yaml out of the ConfigMap --------------------------------------------------------------------------

def extract_config(label, rendered, out, env_out, secret_paths):
    docs = documents(rendered)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == _config_path(container.get("args", [])))
    volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
    configmap = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == volume["configMap"]["name"])
    text = configmap["data"][mount["subPath"]]
    with open(out, "w") as handle:
        handle.write(text)
    # The environment for `proxy --check-config`: what the pod gets, the Secrets' values being their templates'
    # placeholders (they have the right shapes). Only that: a Secret's key the pod does not take must not hide a gap.
    values, problems = pod_environment(docs, deployment, secret_templates(secret_paths))
    for problem in problems:
        fail(f"{label}: {problem}")
    names = sorted(set(re.findall(r"os\.environ/([A-Za-z_][A-Za-z0-9_]*)", text)))
    missing = [n for n in names if n not in values]
    for name in missing:
        fail(f"{label}: config.yaml refers to os.environ/{name}, which neither the Secret template nor the Deployment sets")
    if not missing:
        ok(f"{label}: config.yaml (ConfigMap {configmap['metadata']['name']}, key {mount['subPath']}) refers to os.environ/ "
           f"{', '.join(names) or '(none)'}: all set by the Secret template or the Deployment")
    with open(env_out, "w") as handle:
        for name, value in sorted(values.items()):
            handle.write(f"{name}={value}\n")


# ---- keyless (workload identity) -------------------------------------------------------------------------------

# Credentials a keyless pod must not have: with any of them the proxy would use a key or a password, not a token.
KEYED_ENV = ("AZURE_API_KEY", "OPENAI_API_KEY", "AZURE_AD_TOKEN", "AZURE_CLIENT_SECRET", "DATABASE_URL",
             "DATABASE_PASSWORD")
KEYED_PARAMS = ("api_key", "azure_ad_token", "client_secret")


def check_keyless(label, rendered, secret_paths):
    """Azure OpenAI and PostgreSQL by Entra ID token only: workload identity wired, no key or password in the pod's
    environment or in config.yaml, the database named by the DATABASE_* variables."""
    docs = documents(rendered)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    env, _ = pod_environment(docs, deployment, secret_templates(secret_paths))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == _config_path(container.get("args", [])))
    volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
    configmap = next(d for d in docs if d["kind"] == "ConfigMap"
                     and d["metadata"]["name"] == volume["configMap"]["name"])
    config = yaml.safe_load(configmap["data"][mount["subPath"]]) or {}
    checks = []

    def expect(condition, text):
        checks.append((bool(condition), text))

    account = workload_identity(docs, deployment)
    expect(account, f"workload identity: the webhook injects {', '.join(WEBHOOK_ENV)} "
                    f"(ServiceAccount {account and account['metadata']['name']})")
    secrets = [s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s]
    expect(not secrets, f"no envFrom of a whole Secret ({', '.join(secrets) or 'none'})")
    keyed = [name for name in KEYED_ENV if name in env]
    expect(not keyed, f"no key or password in the pod's environment ({', '.join(keyed) or 'none'})")
    params = [f"model_list[{i}].litellm_params.{p}" for i, entry in enumerate(config.get("model_list") or [])
              for p in KEYED_PARAMS if p in ((entry or {}).get("litellm_params") or {})]
    expect(not params, f"config.yaml: no deployment with a key or a static token ({', '.join(params) or 'none'})")
    general = config.get("general_settings") or {}
    expect("database_url" not in general, "config.yaml: no general_settings.database_url (no password)")
    database = ("DATABASE_HOST", "DATABASE_PORT", "DATABASE_USER", "DATABASE_NAME")
    unset = [n for n in database if not env.get(n)]
    expect(env.get("AZURE_POSTGRESQL_AUTH") == "true" and not unset,
           f"PostgreSQL by token: AZURE_POSTGRESQL_AUTH=true and {', '.join(database)} set "
           f"({'missing ' + ', '.join(unset) if unset else env.get('DATABASE_USER') + '@' + env.get('DATABASE_HOST')})")
    master = next((e for e in container.get("env", []) if e["name"] == "LITELLM_MASTER_KEY"), None)
    expect(master and "secretKeyRef" in (master.get("valueFrom") or {}),
           "LITELLM_MASTER_KEY from a Secret key (secretKeyRef)")
    for passed, text in checks:
        (ok if passed else fail)(f"{label}: keyless: {text}")


def main(argv):
    command = argv[1]
    if command == "dockerfile":
        check_dockerfile(argv[2])
    elif command == "schemas":
        check_schemas(argv[2].split(), argv[3:])
    elif command == "wiring":
        check_wiring(argv[2], argv[3], argv[4:])
    elif command == "keyless":
        check_keyless(argv[2], argv[3], argv[4:])
    elif command == "extract-config":
        extract_config(argv[2], argv[3], argv[4], argv[5], argv[6:])
    else:
        raise SystemExit(f"unknown command {command}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
