# The data layer: Pub/Sub topology, buckets, Firestore and its rules, the worker's identity.
# The topology mirrors shared/topology.py (tests/unit/test_terraform.py keeps the two in step).

locals {
  topics = toset(["jobs", "tasks-gpu", "tasks-cloud", "job-events", "dead-letter"])

  # subscription name => settings
  subscriptions = {
    "orchestrator"      = { topic = "jobs", ack_deadline_seconds = 60, dead_letter = true }
    "gpu-tasks"         = { topic = "tasks-gpu", ack_deadline_seconds = 600, dead_letter = true }
    "cloud-render"      = { topic = "tasks-cloud", ack_deadline_seconds = 600, dead_letter = true }
    "job-events-audit"  = { topic = "job-events", ack_deadline_seconds = 60, dead_letter = true }
    "dead-letter-inbox" = { topic = "dead-letter", ack_deadline_seconds = 60, dead_letter = false }
  }
}

data "google_project" "this" {}

resource "google_pubsub_topic" "topic" {
  for_each = local.topics
  name     = "${var.topic_prefix}${each.key}"
}

resource "google_pubsub_subscription" "sub" {
  for_each             = local.subscriptions
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
  for_each     = { for k, v in local.subscriptions : k => v if v.dead_letter }
  subscription = google_pubsub_subscription.sub[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_storage_bucket" "media" {
  name                        = "${var.project_id}-media"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # The editor PUTs uploads with the headers the signed URL binds, and draws previews into a
  # canvas (crossorigin="anonymous"), so both need the editor's origin here.
  cors {
    origin          = var.editor_origins
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

  cors {
    origin          = var.editor_origins
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

# The GPU boxes' identity: pull their tasks, publish job events, read media, write renders.
resource "google_service_account" "gpu_worker" {
  account_id   = "cs-gpu-worker"
  display_name = "Create Studio GPU subscriber"
}

resource "google_pubsub_subscription_iam_member" "gpu_worker_pull" {
  subscription = google_pubsub_subscription.sub["gpu-tasks"].id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.gpu_worker.email}"
}

resource "google_pubsub_topic_iam_member" "gpu_worker_events" {
  for_each = toset(["jobs", "job-events"])
  topic    = google_pubsub_topic.topic[each.key].id
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.gpu_worker.email}"
}

resource "google_storage_bucket_iam_member" "gpu_worker_media" {
  bucket = google_storage_bucket.media.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.gpu_worker.email}"
}

resource "google_storage_bucket_iam_member" "gpu_worker_renders" {
  bucket = google_storage_bucket.renders.name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.gpu_worker.email}"
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
