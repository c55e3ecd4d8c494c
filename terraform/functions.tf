# The Cloud Functions (2nd gen), one per entry point in functions/main.py but the CPU renderer
# (a Cloud Run service: it needs FFmpeg, espeak-ng and fonts the functions runtime lacks).

locals {
  # Per function: memory, CPUs, timeout (s), concurrent requests per instance, instances.
  # A function serving more than one request at a time needs a whole CPU (Cloud Run's rule).
  function_sizing = {
    # Argon2 takes 64 MiB and ~0.2 CPU-seconds per login: few logins per instance at once.
    auth = { memory = "512Mi", cpu = "1", timeout = 30, concurrency = 4, min = var.api_min_instances }
    # Firestore reads and writes, signed URLs: I/O bound, so many requests share an instance.
    jobs     = { memory = "512Mi", cpu = "1", timeout = 60, concurrency = 16, min = var.api_min_instances }
    projects = { memory = "512Mi", cpu = "1", timeout = 60, concurrency = 16, min = var.api_min_instances }
    status   = { memory = "256Mi", cpu = "1", timeout = 30, concurrency = 16, min = 0 }
    voices   = { memory = "256Mi", cpu = "1", timeout = 30, concurrency = 16, min = 0 }
    # Registering an upload probes it (Pillow, PyAV) in memory: more room, fewer at once.
    media = { memory = "1Gi", cpu = "1", timeout = 120, concurrency = 4, min = 0 }
    # The script chain's deadline is CS_SCRIPT_DEADLINE_S (8 s); 30 s leaves room for the reply.
    scripts = { memory = "512Mi", cpu = "1", timeout = 30, concurrency = 8, min = 0 }
    # One event per request: a job's steps are quick Firestore transactions. 60 s = the
    # orchestrator subscription's ack deadline in shared/topology.py.
    orchestrator = { memory = "512Mi", cpu = "1", timeout = 60, concurrency = 1, min = 0 }
    # One sweep at a time, a minute apart: one instance, one request.
    sweeper = { memory = "512Mi", cpu = "1", timeout = 120, concurrency = 1, min = 0 }
  }
}

# The functions' source: shared/ and functions/ with functions/main.py and requirements.txt at
# the root (the runtime's layout), staged into build/functions-source by cloudbuild.yaml's
# "stage-functions" step (docs/deploy.md runs the same lines), zipped here; the object's name
# carries the zip's hash, so a change deploys a new revision and an unchanged tree nothing.
data "archive_file" "functions_source" {
  type        = "zip"
  output_path = "${path.module}/build/functions-source.zip"
  source_dir  = "${path.module}/build/functions-source"
}

resource "google_storage_bucket" "function_sources" {
  name                        = "${var.project_id}-function-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # checkov:skip=CKV_GCP_62:Access logs of build artifacts add nothing: Cloud Audit Logs record who wrote them.
  # checkov:skip=CKV_GCP_78:Each zip is named by its hash and never overwritten, so versions would only duplicate.

  # Old zips are kept a while for rollback (docs/deploy.md), then deleted.
  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket_object" "functions_source" {
  name   = "functions-${data.archive_file.functions_source.output_sha256}.zip"
  bucket = google_storage_bucket.function_sources.name
  source = data.archive_file.functions_source.output_path
}

resource "google_cloudfunctions2_function" "function" {
  for_each = local.functions
  # checkov:skip=CKV_GCP_124:The API functions take the browser's requests through Hosting, the sweeper Cloud Scheduler's (IAM-only); the orchestrator is internal-only.
  name     = each.key
  location = var.region

  build_config {
    runtime     = "python311"
    entry_point = each.value.entry_point
    source {
      storage_source {
        bucket = google_storage_bucket.function_sources.name
        object = google_storage_bucket_object.functions_source.name
      }
    }
    service_account = google_service_account.builder.id
  }

  service_config {
    service_account_email            = google_service_account.workload[each.key].email
    available_memory                 = local.function_sizing[each.key].memory
    available_cpu                    = local.function_sizing[each.key].cpu
    timeout_seconds                  = local.function_sizing[each.key].timeout
    max_instance_request_concurrency = local.function_sizing[each.key].concurrency
    min_instance_count               = local.function_sizing[each.key].min
    max_instance_count               = each.key == "sweeper" ? 1 : var.function_max_instances
    # The API is reached through Hosting (public). The orchestrator only from Eventarc (Pub/Sub
    # push counts as internal); the sweeper stays reachable for Cloud Scheduler, but only its
    # invoker account may call it (sweeper_invoker, no allUsers).
    ingress_settings               = each.key == "orchestrator" ? "ALLOW_INTERNAL_ONLY" : "ALLOW_ALL"
    all_traffic_on_latest_revision = true

    environment_variables = { for name in each.value.env : name => local.env_values[name] }

    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  # The orchestrator runs on every message on jobs. Retries on: a transient failure raises and
  # Eventarc redelivers with backoff; a permanent one is logged and acked (functions/orchestrator.py).
  dynamic "event_trigger" {
    for_each = each.key == "orchestrator" ? [1] : []
    content {
      trigger_region        = var.region
      event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
      pubsub_topic          = google_pubsub_topic.topic["jobs"].id
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = google_service_account.invoker["pubsub"].email
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.workload,
    google_project_iam_member.builder,
  ]
}

# The API functions answer the browser through Hosting; each checks the session cookie itself.
resource "google_cloud_run_service_iam_member" "api_public" {
  for_each = { for name, w in local.functions : name => w if !contains(["orchestrator", "sweeper"], name) }
  # checkov:skip=CKV_GCP_102:The editor's API is public by design (Hosting rewrites); every route checks the session itself.
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "orchestrator_invoker" {
  location = var.region
  service  = google_cloudfunctions2_function.function["orchestrator"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker["pubsub"].email}"
}

resource "google_cloud_run_service_iam_member" "sweeper_invoker" {
  location = var.region
  service  = google_cloudfunctions2_function.function["sweeper"].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker["scheduler"].email}"
}

# Every minute: stale heartbeats, stuck attempts (shared/pipeline/sweep.py).
resource "google_cloud_scheduler_job" "sweeper" {
  name             = "cs-sweeper"
  region           = var.region
  schedule         = "* * * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "120s"

  retry_config {
    retry_count = 0 # the next sweep is a minute away
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.function["sweeper"].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.invoker["scheduler"].email
      audience              = google_cloudfunctions2_function.function["sweeper"].service_config[0].uri
    }
  }

  depends_on = [google_project_service.api]
}
