output "env" {
  description = "The environment every function and worker reads (same names as Settings.from_env)."
  value = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    CS_TOPIC_PREFIX      = var.topic_prefix
    CS_MEDIA_BUCKET      = google_storage_bucket.media.name
    CS_RENDERS_BUCKET    = google_storage_bucket.renders.name
    # The editor's public origins (Firebase Hosting's default domains) for the CSRF Origin check.
    CS_ALLOWED_ORIGINS = "https://${var.project_id}.web.app,https://${var.project_id}.firebaseapp.com"
  }
}

output "gpu_worker_service_account" {
  value = google_service_account.gpu_worker.email
}
