# Firebase: the project, the editor's web app (Firebase Auth for the custom-token sign-in) and
# its Hosting site. The site's content and its /api/* rewrites to the functions are released by
# `firebase deploy --only hosting` from firebase.json (cloudbuild.yaml, docs/deploy.md):
# Terraform's google_firebase_hosting_version can express the rewrites (run { service_id })
# but cannot upload files, and a release made here would be replaced by the next deploy.

resource "google_firebase_project" "this" {
  provider   = google-beta
  project    = var.project_id
  depends_on = [google_project_service.api]
}

resource "google_firebase_web_app" "editor" {
  provider        = google-beta
  project         = var.project_id
  display_name    = "Create Studio editor"
  deletion_policy = "DELETE"
  depends_on      = [google_firebase_project.this]
}

resource "google_firebase_hosting_site" "editor" {
  provider = google-beta
  project  = var.project_id
  # The project's default site (PROJECT.web.app): the origin in CS_ALLOWED_ORIGINS and CORS.
  site_id    = var.project_id
  app_id     = google_firebase_web_app.editor.app_id
  depends_on = [google_firebase_project.this]
}

data "google_firebase_web_app_config" "editor" {
  provider   = google-beta
  project    = var.project_id
  web_app_id = google_firebase_web_app.editor.app_id
}
