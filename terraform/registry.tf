# The container images: cpu-renderer (Cloud Run) and gpu-box (GPU boxes, serverless GPU).
resource "google_artifact_registry_repository" "images" {
  location      = var.region
  repository_id = "createstudio"
  format        = "DOCKER"
  # checkov:skip=CKV_GCP_84:Google-managed encryption; the images hold the open-source code of this repository.
  description = "Create Studio images, tagged with the commit that built them."

  # Untagged layers of replaced builds go; the last 20 tagged builds stay for rollback.
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s" # 30 days
    }
  }

  depends_on = [google_project_service.api]
}

locals {
  image_base = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
  images = {
    cpu-renderer = "${local.image_base}/cpu-renderer:${var.image_tag}"
    gpu-box      = "${local.image_base}/gpu-box:${var.image_tag}"
  }
}

resource "google_artifact_registry_repository_iam_member" "gpu_worker_pull" {
  location   = var.region
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${google_service_account.workload["gpu-worker"].email}"
}
