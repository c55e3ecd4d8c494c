project_id     = "createstudio-dev"
region         = "europe-west1"
editor_origins = ["http://localhost:8080"]
image_tag      = "dev"
