# Identities: one service account per workload (workloads.tf), one per invoker, one for builds.
# Roles are granted on the named topic, subscription, bucket or account, never project-wide,
# except Firestore (datastore.user), which has no per-collection IAM (firestore.rules guards
# the browser; the workloads are trusted server code). No primitive role, no default account.

locals {
  invokers = {
    pubsub    = "Pub/Sub push (CPU/GPU renderer) and Eventarc (orchestrator) OIDC identity"
    scheduler = "Cloud Scheduler OIDC identity (sweeper)"
  }

  grants = {
    topics = flatten([
      for name, w in local.deployed : [for topic in w.publishes : { workload = name, topic = topic }]
    ])
    subscriptions = flatten([
      for name, w in local.deployed : [for sub in w.subscribes : { workload = name, sub = sub }]
    ])
    buckets = flatten([
      for name, w in local.deployed : [for bucket, role in w.buckets : { workload = name, bucket = bucket, role = role }]
    ])
  }

  buckets = {
    media   = google_storage_bucket.media.name
    renders = google_storage_bucket.renders.name
  }

  pubsub_agent_email = "service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_service_account" "workload" {
  for_each     = local.deployed
  account_id   = "cs-${each.key}"
  display_name = "Create Studio ${each.key} (${each.value.kind})"
}

resource "google_service_account" "invoker" {
  for_each     = local.invokers
  account_id   = "cs-invoke-${each.key}"
  display_name = each.value
}

# Builds the functions' images from their source (Cloud Functions uses Cloud Build).
resource "google_service_account" "builder" {
  account_id   = "cs-function-builder"
  display_name = "Create Studio function builds"
}

resource "google_project_iam_member" "builder" {
  for_each = toset(["roles/cloudbuild.builds.builder", "roles/logging.logWriter"])
  # checkov:skip=CKV_GCP_49:The role Cloud Functions requires of a custom build account; it acts as no other account.
  project = var.project_id
  role    = each.key
  member  = "serviceAccount:${google_service_account.builder.email}"
}

resource "google_project_iam_member" "firestore" {
  for_each = { for name, w in local.deployed : name => w if w.firestore }
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${google_service_account.workload[each.key].email}"
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = { for g in local.grants.topics : "${g.workload}/${g.topic}" => g }
  topic    = google_pubsub_topic.topic[each.value.topic].id
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.workload[each.value.workload].email}"
}

resource "google_pubsub_subscription_iam_member" "subscriber" {
  for_each     = { for g in local.grants.subscriptions : "${g.workload}/${g.sub}" => g }
  subscription = google_pubsub_subscription.sub[each.value.sub].id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.workload[each.value.workload].email}"
}

resource "google_storage_bucket_iam_member" "object" {
  for_each = { for g in local.grants.buckets : "${g.workload}/${g.bucket}" => g }
  bucket   = local.buckets[each.value.bucket]
  role     = each.value.role
  member   = "serviceAccount:${google_service_account.workload[each.value.workload].email}"
}

# signBlob as itself: signed URLs (shared/adapters/signing.py) and Firebase custom tokens
# (shared/auth/firebase_tokens.py) without a key file.
resource "google_service_account_iam_member" "sign_self" {
  for_each           = { for name, w in local.deployed : name => w if w.sign_self }
  service_account_id = google_service_account.workload[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.workload[each.key].email}"
}

# Pub/Sub mints the push and Eventarc OIDC tokens as the invoker account.
resource "google_service_account_iam_member" "pubsub_mints_tokens" {
  service_account_id = google_service_account.invoker["pubsub"].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${local.pubsub_agent_email}"
}

# Key-less GPU boxes: a workload identity pool trusting the operator's OIDC issuer; the one
# subject allowed may act as the GPU worker (docs/deploy.md, "Add a GPU box").
resource "google_iam_workload_identity_pool" "gpu_boxes" {
  count                     = var.gpu_box_identity_pool.enabled ? 1 : 0
  workload_identity_pool_id = "cs-gpu-boxes"
  display_name              = "Create Studio GPU boxes"
}

resource "google_iam_workload_identity_pool_provider" "gpu_boxes" {
  count                              = var.gpu_box_identity_pool.enabled ? 1 : 0
  workload_identity_pool_id          = google_iam_workload_identity_pool.gpu_boxes[0].workload_identity_pool_id
  workload_identity_pool_provider_id = "oidc"
  attribute_mapping = {
    "google.subject" = "assertion.sub"
  }
  attribute_condition = "assertion.sub == \"${var.gpu_box_identity_pool.subject}\""
  oidc {
    issuer_uri        = var.gpu_box_identity_pool.issuer_uri
    allowed_audiences = var.gpu_box_identity_pool.allowed_aud
  }
}

resource "google_service_account_iam_member" "gpu_boxes_federated" {
  count              = var.gpu_box_identity_pool.enabled ? 1 : 0
  service_account_id = google_service_account.workload["gpu-worker"].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.gpu_boxes[0].name}/subject/${var.gpu_box_identity_pool.subject}"
}
