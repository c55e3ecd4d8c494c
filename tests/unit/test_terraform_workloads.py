"""terraform/ against the code: the topology, every entry point, the environment each workload's
code reads, its secrets, its push endpoint and its roles, derived from the modules it reaches.

Terraform is parsed with python-hcl2 (no provider download is possible here); "reaches" is the
import closure of a workload's entry module over shared/, functions/ and gpu_subscriber/.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import hcl2
import pytest

import functions.main
from shared import settings as settings_module
from shared import topology
from shared.pipeline.ports import PipelineConfig
from shared.topology import DEFAULT_TOPOLOGY

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
PACKAGES = ("shared", "functions", "gpu_subscriber")

# Read only on a developer's machine or in tests: never set in the cloud.
LOCAL_ONLY = {
    "PUBSUB_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST", "CS_LOCAL",
    "CS_ELEVENLABS_BASE_URL", "CS_GEMINI_BASE_URL", "CS_VEO_BASE_URL", "CS_VEO_ACCESS_TOKEN",
    "CS_SIGNING_KEY_FILE",  # the cloud signs through IAM signBlob (sign_self)
}  # fmt: skip
# A GPU box's own local services (ACE-Step's server beside it): its .env, not Secret Manager.
BOX_ONLY = {"CS_ACESTEP_URL", "CS_ACESTEP_API_KEY"}
# Where the deployment is, not how it behaves: set wherever the code reads it.
DEPLOYMENT = {
    "GOOGLE_CLOUD_PROJECT", "CS_TOPIC_PREFIX", "CS_MEDIA_BUCKET", "CS_RENDERS_BUCKET",
    "CS_ALLOWED_ORIGINS",
}  # fmt: skip
# The job-control wiring every HTTP function imports (functions/http_deps.py) and the workers'
# bootstrap: a secret read only behind it is not one the workload needs to hold.
WIRING = "shared.pipeline.services"
# The handler calls that sign (a URL or a custom token) as the runtime's own account.
SIGNING_CALLS = {"signed_get_url", "request_upload", "firestore_access"}
ENTRY_MODULES = {
    "cloud_render": "functions.cloud_render",
    "gpu_subscriber": "gpu_subscriber.__main__",
}


# --- terraform/ as data -------------------------------------------------------------------------


def _value(raw: Any) -> Any:
    """python-hcl2 wraps every attribute's value in a one-item list."""
    return raw[0] if isinstance(raw, list) and len(raw) == 1 else raw


@functools.cache
def _parsed() -> tuple[tuple[str, dict[str, Any]], ...]:
    return tuple((f.name, hcl2.loads(f.read_text())) for f in sorted(TERRAFORM.glob("*.tf")))


@functools.cache
def tf_locals() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, doc in _parsed():
        for block in doc.get("locals", []):
            for key, raw in block.items():
                if key.startswith("__"):  # the parser's line numbers
                    continue
                assert key not in merged, f"local.{key} is defined twice"
                merged[key] = _value(raw)
    return merged


def tf_resources(kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for _, doc in _parsed():
        for block in doc.get("resource", []):
            for name, body in block.get(kind, {}).items():
                found[name] = body
    return found


def tf_text() -> str:
    return "\n".join(f.read_text() for f in sorted(TERRAFORM.glob("*.tf")))


def tf_variable_default(name: str) -> Any:
    for _, doc in _parsed():
        for block in doc.get("variable", []):
            if name in block:
                return _value(block[name]["default"])
    raise KeyError(name)


def names_in(expression: Any) -> set[str]:
    """The names a list expression holds: literals, and local lists it concats (core_env...)."""
    if isinstance(expression, list):
        return set(expression)
    found = set(re.findall(r"'([A-Z][A-Z0-9_]+)'", expression))
    for local in re.findall(r"local\.(\w+)", expression):
        found |= names_in(tf_locals()[local])
    return found


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    kind: str
    entry_point: str
    env: frozenset[str]
    secrets: frozenset[str]
    publishes: frozenset[str]
    subscribes: frozenset[str]
    buckets: dict[str, str]
    firestore: bool
    sign_self: bool

    @property
    def module(self) -> str:
        return ENTRY_MODULES.get(self.entry_point, f"functions.{self.entry_point}")


@functools.cache
def workloads() -> dict[str, Workload]:
    rows = tf_locals()["workloads"]
    return {
        name: Workload(
            name=name,
            kind=row["kind"],
            entry_point=row["entry_point"],
            env=frozenset(names_in(row["env"])),
            secrets=frozenset(row["secrets"]),
            publishes=frozenset(row["publishes"]),
            subscribes=frozenset(row["subscribes"]),
            buckets=row["buckets"],
            firestore=row["firestore"],
            sign_self=row["sign_self"],
        )
        for name, row in rows.items()
    }


# --- the code as data ---------------------------------------------------------------------------


def _module_file(module: str) -> Path | None:
    path = REPO.joinpath(*module.split("."))
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return path / "__init__.py" if (path / "__init__.py").is_file() else None


@functools.cache
def _tree(module: str) -> ast.Module:
    path = _module_file(module)
    assert path is not None, module
    return ast.parse(path.read_text())


def _imports(module: str) -> set[str]:
    found = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            candidates = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found |= {c for c in candidates if c.split(".")[0] in PACKAGES and _module_file(c)}
    return found


@functools.cache
def reach(entry: str, stop: str | None = None) -> frozenset[str]:
    """The modules ``entry`` imports, directly or not (not through ``stop``)."""
    seen, todo = set(), [entry]
    while todo:
        module = todo.pop()
        if module in seen or module == stop:
            continue
        seen.add(module)
        todo.extend(_imports(module))
    return frozenset(seen)


def attributes(modules: Iterable[str]) -> set[str]:
    return {
        node.attr
        for module in modules
        if module != "shared.settings"
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.Attribute)
    }


def string_literals(modules: Iterable[str]) -> set[str]:
    return {
        node.value
        for module in modules
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


@functools.cache
def settings_env() -> dict[str, tuple[str, bool]]:
    """Every variable Settings.from_env reads => (the field it fills, whether it is a Secret)."""
    found: dict[str, tuple[str, bool]] = {}
    for node in ast.walk(_tree("shared.settings")):
        if not (isinstance(node, ast.keyword) and node.arg):
            continue
        for call in ast.walk(node.value):
            if isinstance(call, ast.Call) and len(call.args) == 2:
                key = call.args[1]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    secret = isinstance(call.func, ast.Name) and call.func.id == "_secret"
                    found[key.value] = (node.arg, secret)
    # models_dir and signing_key_file are read into locals first.
    found["CS_MODELS_DIR"] = ("models_dir", False)
    found["CS_SIGNING_KEY_FILE"] = ("signing_key_file", False)
    found["GOOGLE_CLOUD_PROJECT"] = ("project_id", False)
    fields = {
        f.name
        for cls in vars(settings_module).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls)
        for f in dataclasses.fields(cls)
    }
    assert {field for field, _ in found.values()} <= fields
    return found


def env_read_by(module: str) -> set[str]:
    """The variables the code reachable from ``module`` reads: a Settings field it uses, or a
    name it reads itself (PipelineConfig's timings, CS_WORKER_ID)."""
    modules = reach(module)
    used = attributes(modules)
    literals = string_literals(modules)
    by_settings = {name for name, (field, _) in settings_env().items() if field in used}
    # project_id, the buckets and the prefix are also read through Settings' own methods.
    by_settings |= {"GOOGLE_CLOUD_PROJECT", "CS_TOPIC_PREFIX"} & set(settings_env())
    own = {name for name in literals if re.fullmatch(r"CS_[A-Z0-9_]+", name)}
    return by_settings | (own - set(settings_env()))


def secrets_needed_by(module: str) -> set[str]:
    used = attributes(reach(module, stop=WIRING))
    return {name for name, (field, secret) in settings_env().items() if secret and field in used}


def topology_constants(modules: Iterable[str]) -> set[str]:
    """Topic and subscription names the modules import from shared.topology."""
    names = set()
    for module in modules:
        for node in ast.walk(_tree(module)):
            if isinstance(node, ast.ImportFrom) and node.module == "shared.topology":
                names |= {getattr(topology, a.name) for a in node.names}
    return {n for n in names if isinstance(n, str)}


def published_topics(modules: Iterable[str]) -> set[str]:
    """Topics some reachable ``.publish(`` call names: topic(CONSTANT), or a task route."""
    found = set()
    for module in modules:
        for node in ast.walk(_tree(module)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "publish" or not node.args:
                continue
            named = {n.id for n in ast.walk(node.args[0]) if isinstance(n, ast.Name)}
            constants = {getattr(topology, n) for n in named if hasattr(topology, n)}
            # TASK_TOPICS[route], or a topic the caller chose among the routes (imagery/submit).
            found |= {c for c in constants if isinstance(c, str)} or {"tasks-gpu", "tasks-cloud"}
    return found


# --- the checks ---------------------------------------------------------------------------------


def test_terraform_declares_every_topic_and_subscription() -> None:
    assert tf_locals()["topics"] == list(DEFAULT_TOPOLOGY.topics)
    declared = tf_locals()["subscriptions"]
    assert {
        name: (s["topic"], s["ack_deadline_seconds"], s["dead_letter"])
        for name, s in declared.items()
    } == {
        s.name: (s.topic, s.ack_deadline_s, s.max_delivery_attempts is not None)
        for s in DEFAULT_TOPOLOGY.subscriptions
    }
    assert {s.max_delivery_attempts for s in DEFAULT_TOPOLOGY.subscriptions} - {None} == {
        tf_variable_default("max_delivery_attempts")
    }
    # The orchestrator's subscription is Eventarc's in the cloud: its trigger is on jobs.
    assert 'name != "orchestrator"' in tf_locals()["cloud_subscriptions"]
    trigger = _value(tf_resources("google_cloudfunctions2_function")["function"]["dynamic"])
    event = trigger["event_trigger"]
    assert "orchestrator" in _value(event["for_each"])
    content = _value(event["content"])
    assert _value(content["pubsub_topic"]) == '${google_pubsub_topic.topic["jobs"].id}'
    assert _value(content["retry_policy"]) == "RETRY_POLICY_RETRY"


def test_every_entry_point_in_main_is_deployed_with_its_entry_point() -> None:
    deployed = {w.entry_point: w for w in workloads().values() if w.kind != "box"}
    assert set(functions.main.__all__) == set(deployed)
    for name, w in deployed.items():
        assert callable(getattr(functions.main, name))
        if w.kind == "function":
            # The function's name is its entry point: firebase.json names functions by it.
            assert w.name == w.entry_point
            assert name in tf_locals()["function_sizing"], f"{name} has no sizing"
    functions_ = {w.name for w in workloads().values() if w.kind == "function"}
    assert set(tf_locals()["function_sizing"]) == functions_
    function = tf_resources("google_cloudfunctions2_function")["function"]
    build = _value(function["build_config"])
    assert _value(build["runtime"]) == "python311"
    assert _value(build["entry_point"]) == "${each.value.entry_point}"
    assert "${google_storage_bucket_object.functions_source.name}" in json.dumps(build)
    source = tf_resources("google_storage_bucket_object")["functions_source"]
    assert "output_sha256" in _value(source["name"]), "the source object is named by its hash"


def test_hosting_rewrites_name_deployed_functions_in_the_deployed_region() -> None:
    rewrites = json.loads((REPO / "firebase.json").read_text())["hosting"]["rewrites"]
    functions_ = {w.name for w in workloads().values() if w.kind == "function"}
    for rewrite in rewrites:
        assert rewrite["function"]["functionId"] in functions_
        assert rewrite["function"]["region"] == tf_variable_default("region")


@pytest.mark.parametrize("name", sorted(workloads()))
def test_each_variable_set_is_read_and_each_deployment_variable_read_is_set(name: str) -> None:
    w = workloads()[name]
    read = env_read_by(w.module)
    given = w.env | w.secrets
    assert not given & LOCAL_ONLY, f"{name}: local-only variables set"
    assert given <= read, f"{name} sets variables its code never reads: {sorted(given - read)}"
    missing = (DEPLOYMENT & read) - given
    assert not missing, f"{name} reads {sorted(missing)} but terraform does not set them"
    needed = secrets_needed_by(w.module) - BOX_ONLY - LOCAL_ONLY
    assert needed <= w.secrets, f"{name} reads secrets not given: {sorted(needed - w.secrets)}"
    if w.kind != "box":  # a box's environment is its .env (test_terraform_containers.py)
        assert set(tf_locals()["env_values"]) >= w.env


def test_secrets_come_only_from_secret_manager_as_secret_variables() -> None:
    secrets = {n for n, (_, secret) in settings_env().items() if secret} - LOCAL_ONLY - BOX_ONLY
    assert set(tf_locals()["secret_ids"]) == secrets
    assert not set(tf_locals()["env_values"]) & secrets
    for w in workloads().values():
        assert not w.env & w.secrets
    function = tf_resources("google_cloudfunctions2_function")["function"]
    service = _value(function["service_config"])
    assert "secret_environment_variables" in _value(service["dynamic"])
    renderer = json.dumps(tf_resources("google_cloud_run_v2_service")["renderer"])
    assert "secret_key_ref" in renderer and "each.value.workload].secrets" in renderer
    # No value ever passes through Terraform: no secret version, no secret data.
    assert "google_secret_manager_secret_version" not in tf_text()
    assert "secret_data" not in tf_text()


def test_push_endpoints_point_at_the_service_that_handles_them() -> None:
    pushes = tf_locals()["push_endpoints"]
    renderers = tf_locals()["renderers"]
    for sub, push in pushes.items():
        assert sub in tf_locals()["subscriptions"] and sub != "orchestrator"
        assert tf_locals()["subscriptions"][sub]["dead_letter"], f"{sub} pushes with no DLQ"
        # Either renderer may take it (var.serverless_gpu): both must handle this subscription.
        for service in re.findall(r"[\"']([\w-]+)[\"']", push["service"]) or [push["service"]]:
            w = workloads()[renderers[service]["workload"]]
            assert sub in topology_constants([w.module]), f"{w.module} does not handle {sub}"
        assert push["endpoint"].startswith("${google_cloud_run_v2_service.renderer[")
    assert "oidc_token" in json.dumps(tf_resources("google_pubsub_subscription")["sub"])
    assert 'google_service_account.invoker["pubsub"].email' in (TERRAFORM / "main.tf").read_text()
    invoker = tf_resources("google_cloud_run_v2_service_iam_member")["renderer_invoker"]
    assert _value(invoker["role"]) == "roles/run.invoker"
    assert 'invoker["pubsub"]' in _value(invoker["member"])


@pytest.mark.parametrize("name", sorted(workloads()))
def test_service_account_roles_are_the_ones_its_code_needs(name: str) -> None:
    w = workloads()[name]
    modules = reach(w.module)
    uses_firestore = any(m.startswith("shared.adapters.firestore_") for m in modules)
    assert w.firestore == uses_firestore
    # The handler modules it reaches (a shared view such as media_json signs for it too).
    handlers = [m for m in modules if m.startswith("functions.")] or [w.module]
    signs = SIGNING_CALLS & (attributes(handlers) | set().union(*map(_called_names, handlers)))
    assert w.sign_self == bool(signs), f"{name} signs with {signs}"
    assert w.publishes <= published_topics(modules), f"{name} may publish where it never does"
    # Pull subscriptions: only the GPU box pulls in the cloud (the rest are pushed or triggered).
    own = [m for m in modules if m.split(".")[0] == w.module.split(".")[0] != "functions"]
    subscriptions = {s.name for s in DEFAULT_TOPOLOGY.subscriptions}
    expected_pulls = topology_constants(own or [w.module]) & subscriptions
    assert w.subscribes == (expected_pulls if w.kind == "box" else set())
    used = attributes(modules)
    if attributes(handlers) & library_calls_touching_blobs():
        assert "media" in w.buckets, f"{name} stores or links library files without the bucket"
    for bucket, role in w.buckets.items():
        assert f"{bucket}_bucket" in used, f"{name} never names the {bucket} bucket"
        assert role in {"roles/storage.objectAdmin", "roles/storage.objectViewer"}


@functools.cache
def library_calls_touching_blobs() -> frozenset[str]:
    """The Library methods that read or write the media bucket (and ``blobs`` itself)."""
    cls = next(
        n for n in ast.walk(_tree("shared.library.service"))
        if isinstance(n, ast.ClassDef) and n.name == "Library"
    )  # fmt: skip
    touching = {
        f.name
        for f in cls.body
        if isinstance(f, ast.FunctionDef)
        and any(isinstance(n, ast.Attribute) and n.attr == "blobs" for n in ast.walk(f))
    }
    return frozenset(touching | {"blobs"})


def _called_names(module: str) -> set[str]:
    return {
        node.func.id
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def test_no_primitive_roles_and_no_default_accounts() -> None:
    text = tf_text()
    for role in ("roles/owner", "roles/editor", "roles/viewer"):
        assert f'"{role}"' not in text
    assert "compute@developer.gserviceaccount.com" not in text
    project_roles = tf_resources("google_project_iam_member")
    assert set(project_roles) == {"builder", "firestore"}
    assert _value(project_roles["firestore"]["role"]) == "roles/datastore.user"
    function = tf_resources("google_cloudfunctions2_function")["function"]
    assert "google_service_account.workload[each.key].email" in json.dumps(function)
    renderer = tf_resources("google_cloud_run_v2_service")["renderer"]
    assert "google_service_account.workload[each.value.workload].email" in json.dumps(renderer)
    # One account per workload, one per invoker.
    accounts = tf_resources("google_service_account")
    assert _value(accounts["workload"]["for_each"]) == "${local.deployed}"


def test_pipeline_timings_are_left_to_their_defaults() -> None:
    # PipelineConfig's variables (CS_HEARTBEAT_S...) are tuning for tests: the cloud keeps the
    # defaults, so no workload sets one.
    timings = set(string_literals(["shared.pipeline.ports"])) & {
        f"CS_{f.name.upper()}" for f in dataclasses.fields(PipelineConfig)
    } | {n for n in string_literals(["shared.pipeline.ports"]) if n.startswith("CS_")}
    for w in workloads().values():
        assert not w.env & timings


def test_every_bucket_the_code_names_is_declared_with_its_default_name() -> None:
    # Settings names two buckets (CS_MEDIA_BUCKET, CS_RENDERS_BUCKET), "{project}-media" and
    # "{project}-renders" by default; terraform makes both and passes their names.
    fields = {field for field, _ in settings_env().values() if field.endswith("_bucket")}
    buckets = tf_resources("google_storage_bucket")
    values = tf_locals()["env_values"]
    for field in fields:
        bucket = field.removesuffix("_bucket")
        assert _value(buckets[bucket]["name"]) == f"${{var.project_id}}-{bucket}"
        assert values[f"CS_{field.upper()}"] == f"${{google_storage_bucket.{bucket}.name}}"
        cors = _value(buckets[bucket]["cors"])
        assert _value(cors["origin"]) == "${local.editor_origins}"
    assert set(tf_locals()["buckets"]) == {f.removesuffix("_bucket") for f in fields}


def test_the_log_based_metrics_count_lines_the_code_writes() -> None:
    """A metric's message and labels are what the workload's code logs (a renamed log line
    would silence its alert)."""
    for name, metric in tf_resources("google_logging_metric").items():
        text = _value(metric["filter"])
        service = re.search(r'function\["(\w+)"\]', text)
        assert service, f"{name}: the metric names no function"
        literals = string_literals(reach(workloads()[service.group(1)].module))
        messages = re.findall(r'jsonPayload\.message = \\"([^"\\]+)\\"', text)
        assert messages and set(messages) <= literals, (name, messages)
        labels = re.findall(r"EXTRACT\(jsonPayload\.(\w+)\)", json.dumps(metric))
        assert labels and set(labels) <= literals, (name, labels)


def test_the_renders_bucket_forgets_previews_and_intermediates_but_keeps_final_renders() -> None:
    from shared.jobs import RENDER_FOLDERS
    from shared.pipeline.job_deletion import RESULT_PREFIXES

    rules = tf_resources("google_storage_bucket")["renders"]["lifecycle_rule"]
    deleted = {
        prefix
        for rule in rules
        for prefix in _value(_value(rule["condition"])["matches_prefix"])
        if _value(_value(rule["action"])["type"]) == "Delete"
    }
    assert deleted == {f"{RENDER_FOLDERS['preview']}/", "work/", "segments/"}
    assert f"{RENDER_FOLDERS['final']}/" not in deleted
    # Deleting a job removes every folder its renders may be in.
    assert {p.split("/")[0] for p in RESULT_PREFIXES} >= set(RENDER_FOLDERS.values())
