# The secrets, without values: docs/deploy.md adds each one's first version with gcloud, so no
# secret passes through Terraform, its plan or its state. A provider left unkeyed gets a single
# space (Settings treats a blank value as unset and the chain skips that provider).
resource "google_secret_manager_secret" "secret" {
  for_each  = local.secret_ids
  secret_id = each.value
  # checkov:skip=CKV_GCP_84:Google-managed encryption keys; a CMEK adds a KMS key ring this project does not otherwise need.

  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

# Each workload reads only the secrets in its row of workloads.tf.
resource "google_secret_manager_secret_iam_member" "workload" {
  for_each = {
    for pair in flatten([
      for name, w in local.deployed : [for key in w.secrets : { workload = name, key = key }]
    ]) : "${pair.workload}/${pair.key}" => pair
  }
  secret_id = google_secret_manager_secret.secret[each.value.key].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.workload[each.value.workload].email}"
}
