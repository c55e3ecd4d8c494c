# The data layer: Pub/Sub topology, buckets, Firestore and its rules, its indexes.
# The topology mirrors shared/topology.py (tests/unit/test_topology.py and
# tests/unit/test_terraform_workloads.py keep the two in step). The orchestrator subscription
# is the local stack's stand-in for the Eventarc trigger (functions/orchestrator.py): in the
# cloud Eventarc makes its own, so it is not created here.

locals {
  topics = ["jobs", "tasks-gpu", "tasks-cloud", "job-events", "dead-letter"]

  # subscription name => settings
  subscriptions = {
    "orchestrator"      = { topic = "jobs", ack_deadline_seconds = 60, dead_letter = true }
    "gpu-tasks"         = { topic = "tasks-gpu", ack_deadline_seconds = 600, dead_letter = true }
    "cloud-render"      = { topic = "tasks-cloud", ack_deadline_seconds = 600, dead_letter = true }
    "job-events-audit"  = { topic = "job-events", ack_deadline_seconds = 60, dead_letter = true }
    "dead-letter-inbox" = { topic = "dead-letter", ack_deadline_seconds = 60, dead_letter = false }
  }
}

locals {
  cloud_subscriptions = { for name, sub in local.subscriptions : name => sub if name != "orchestrator" }
}

data "google_project" "this" {}

resource "google_pubsub_topic" "topic" {
  for_each = toset(local.topics)
  # checkov:skip=CKV_GCP_83:Google-managed encryption; messages carry ids and hashes, never media or keys.
  name = "${var.topic_prefix}${each.key}"
}

resource "google_pubsub_subscription" "sub" {
  for_each             = local.cloud_subscriptions
  name                 = "${var.topic_prefix}${each.key}"
  topic                = google_pubsub_topic.topic[each.value.topic].id
  ack_deadline_seconds = each.value.ack_deadline_seconds

  # Never expire: a GPU box switched off for a month must not lose its subscription.
  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  # The CPU (or GPU) renderer is pushed its tasks, with an OIDC token it checks (push.tf).
  dynamic "push_config" {
    for_each = contains(keys(local.push_endpoints), each.key) ? [local.push_endpoints[each.key]] : []
    content {
      push_endpoint = push_config.value.endpoint
      oidc_token {
        service_account_email = google_service_account.invoker["pubsub"].email
        audience              = push_config.value.endpoint
      }
    }
  }

  dynamic "dead_letter_policy" {
    for_each = each.value.dead_letter ? [1] : []
    content {
      dead_letter_topic     = google_pubsub_topic.topic["dead-letter"].id
      max_delivery_attempts = var.max_delivery_attempts
    }
  }
}

# The Pub/Sub service agent forwards dead letters: it must publish to the DLQ topic and
# acknowledge on each source subscription.
locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  topic  = google_pubsub_topic.topic["dead-letter"].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each     = { for k, v in local.cloud_subscriptions : k => v if v.dead_letter }
  subscription = google_pubsub_subscription.sub[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_storage_bucket" "media" {
  name                        = "${var.project_id}-media"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # checkov:skip=CKV_GCP_62:Object reads are signed URLs; Cloud Audit Logs (data access) are the access log if wanted.
  # checkov:skip=CKV_GCP_78:A user's delete must delete (docs/api.md); noncurrent versions would keep their media.

  # An upload the browser started but never finished (a signed PUT cut off) leaves parts.
  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  # The editor PUTs uploads with the headers the signed URL binds, and draws previews into a
  # canvas (crossorigin="anonymous"), so both need the editor's origin here.
  cors {
    origin          = local.editor_origins
    method          = ["PUT", "GET"]
    response_header = ["Content-Type", "x-goog-content-length-range"]
    max_age_seconds = 3600
  }
}

resource "google_storage_bucket" "renders" {
  name                        = "${var.project_id}-renders"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # checkov:skip=CKV_GCP_62:Downloads are signed URLs; Cloud Audit Logs (data access) are the access log if wanted.
  # checkov:skip=CKV_GCP_78:Deleting a job deletes its renders (shared/pipeline/job_deletion.py); versions would keep them.

  # A job's intermediate results (script, voice, music: shared/pipeline/executors.py) and a long
  # render's segments (segments/: shared/pipeline/fanout_executors.py) only serve redelivered
  # tasks and re-renders.
  lifecycle_rule {
    condition {
      age            = var.work_retention_days
      matches_prefix = ["work/", "segments/"]
    }
    action {
      type = "Delete"
    }
  }

  # Preview renders (shared/jobs.py RENDER_FOLDERS) only serve checking an edit; final renders
  # under renders/ stay.
  lifecycle_rule {
    condition {
      age            = var.preview_retention_days
      matches_prefix = ["previews/"]
    }
    action {
      type = "Delete"
    }
  }

  cors {
    origin          = local.editor_origins
    method          = ["GET"]
    response_header = ["Content-Type"]
    max_age_seconds = 3600
  }
}

resource "google_firestore_database" "default" {
  name        = "(default)"
  location_id = var.region
  type        = "FIRESTORE_NATIVE"
}

resource "google_firebaserules_ruleset" "firestore" {
  source {
    files {
      name    = "firestore.rules"
      content = file("${path.module}/../firestore.rules")
    }
  }
  depends_on = [google_firestore_database.default]
}

resource "google_firebaserules_release" "firestore" {
  name         = "cloud.firestore"
  ruleset_name = google_firebaserules_ruleset.firestore.name
}

# JobStore.list_for_user: a user's jobs, newest first.
# The editor's draft list: a user's projects, last saved first.
resource "google_firestore_index" "projects_by_user" {
  collection = "projects"
  fields {
    field_path = "uid"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "DESCENDING"
  }
  depends_on = [google_firestore_database.default]
}

resource "google_firestore_index" "jobs_by_user" {
  collection = "jobs"
  fields {
    field_path = "uid"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "DESCENDING"
  }
  depends_on = [google_firestore_database.default]
}
