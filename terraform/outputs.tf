output "editor_url" {
  description = "The web editor (after `firebase deploy --only hosting`)."
  value       = "https://${google_firebase_hosting_site.editor.site_id}.web.app"
}

output "env" {
  description = "The plain environment every workload reads (same names as Settings.from_env); a GPU box's .env starts from it."
  value       = local.env_values
}

output "secret_ids" {
  description = "Secret Manager secret ids by environment variable (ids only: the values never pass through Terraform)."
  value       = local.secret_ids
}

output "gpu_worker_service_account" {
  description = "The identity GPU boxes run as."
  value       = google_service_account.workload["gpu-worker"].email
}

output "gpu_box_workload_identity_provider" {
  description = "The workload identity provider GPU boxes exchange their OIDC token at (null: key-file boxes)."
  value       = var.gpu_box_identity_pool.enabled ? google_iam_workload_identity_pool_provider.gpu_boxes[0].name : null
}

output "images" {
  description = "The image references this apply deployed."
  value       = local.images
}

output "firebase_web_config" {
  description = "The editor's Firebase web config (public by design: it identifies the project, it grants nothing)."
  value = {
    projectId = var.project_id
    appId     = google_firebase_web_app.editor.app_id
    apiKey    = data.google_firebase_web_app_config.editor.api_key
  }
}
