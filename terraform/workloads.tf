# Every workload, what it runs and what it may touch: the single table the functions, the Cloud
# Run services, the service accounts and their roles are made from.
# tests/unit/test_terraform_workloads.py checks it against the code: each entry point exists,
# each variable is one Settings reads (and that this workload's code reaches), each role is one
# the workload's adapters need.

locals {
  # The editor's public origins: Hosting's two default domains, plus any the operator adds.
  editor_origins = concat(
    ["https://${var.project_id}.web.app", "https://${var.project_id}.firebaseapp.com"],
    var.editor_origins,
  )

  # Plain environment variables by name (Settings.from_env reads each).
  env_values = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    CS_TOPIC_PREFIX      = var.topic_prefix
    CS_MEDIA_BUCKET      = google_storage_bucket.media.name
    CS_RENDERS_BUCKET    = google_storage_bucket.renders.name
    CS_ALLOWED_ORIGINS   = join(",", local.editor_origins)
    CS_ELEVENLABS_VOICES = var.elevenlabs_voices
    # The editor's Firebase web app, handed to the browser with the login (public by design).
    CS_FIREBASE_API_KEY = data.google_firebase_web_app_config.editor.api_key
    CS_FIREBASE_APP_ID  = google_firebase_web_app.editor.app_id
  }

  # Secret environment variables => Secret Manager secret id. Only the ids live here; the values
  # are added with gcloud (docs/deploy.md) and never pass through Terraform or its state.
  secret_ids = {
    GEMINI_API_KEY     = "cs-gemini-api-key"
    ELEVENLABS_API_KEY = "cs-elevenlabs-api-key"
    CS_SESSION_SECRET  = "cs-session-secret"
  }

  # What every workload on the pipeline reads: the project, the buckets, the topic prefix.
  core_env = ["GOOGLE_CLOUD_PROJECT", "CS_TOPIC_PREFIX", "CS_MEDIA_BUCKET", "CS_RENDERS_BUCKET"]
  # The HTTP API also checks the browser's Origin against the editor's origins.
  api_env = concat(local.core_env, ["CS_ALLOWED_ORIGINS"])

  # name => workload. kind: function (Cloud Functions 2nd gen), run (Cloud Run service from the
  # image), box (a GPU box outside Google Cloud: an identity only).
  # publishes: topics; subscribes: pull subscriptions; buckets: bucket => role;
  # firestore: reads and writes documents; sign_self: signs (signed URLs, Firebase custom tokens)
  # through IAM signBlob as itself, so it needs token creator on its own account.
  workloads = {
    # POST /api/auth/login: Argon2 password checks (64 MiB each), a session, a custom token.
    auth = {
      kind        = "function"
      entry_point = "auth"
      env         = concat(local.api_env, ["CS_FIREBASE_API_KEY", "CS_FIREBASE_APP_ID"])
      secrets     = ["CS_SESSION_SECRET"]
      publishes   = []
      subscribes  = []
      buckets     = {}
      firestore   = true
      sign_self   = true
    }
    # Creating a job checks its voice (the ElevenLabs catalog) and announces it; results are
    # signed renders links; deleting a job deletes its objects.
    jobs = {
      kind        = "function"
      entry_point = "jobs"
      env         = concat(local.api_env, ["CS_ELEVENLABS_VOICES"])
      secrets     = ["CS_SESSION_SECRET", "ELEVENLABS_API_KEY"]
      publishes   = ["jobs", "job-events"]
      subscribes  = []
      firestore   = true
      sign_self   = true
      buckets     = { renders = "roles/storage.objectAdmin" }
    }
    # Signed upload and preview URLs, registration, deletion, and queued AI stills/clips.
    media = {
      kind        = "function"
      entry_point = "media"
      env         = local.api_env
      secrets     = ["CS_SESSION_SECRET", "GEMINI_API_KEY"]
      publishes   = ["tasks-gpu", "tasks-cloud"]
      subscribes  = []
      firestore   = true
      sign_self   = true
      buckets     = { media = "roles/storage.objectAdmin" }
    }
    # The ad-script chain (Gemini when keyed), rate-limited per user in Firestore.
    scripts = {
      kind        = "function"
      entry_point = "scripts"
      env         = local.api_env
      secrets     = ["CS_SESSION_SECRET", "GEMINI_API_KEY"]
      publishes   = []
      subscribes  = []
      buckets     = {}
      firestore   = true
      sign_self   = false
    }
    projects = {
      kind        = "function"
      entry_point = "projects"
      env         = local.api_env
      secrets     = ["CS_SESSION_SECRET"]
      publishes   = []
      subscribes  = []
      buckets     = {}
      firestore   = true
      sign_self   = false
    }
    # Which providers are keyed and which GPU boxes are online (the workers' heartbeats).
    status = {
      kind        = "function"
      entry_point = "status"
      env         = local.api_env
      secrets     = ["CS_SESSION_SECRET", "GEMINI_API_KEY", "ELEVENLABS_API_KEY"]
      publishes   = []
      subscribes  = []
      buckets     = {}
      firestore   = true
      sign_self   = false
    }
    voices = {
      kind        = "function"
      entry_point = "voices"
      env         = concat(local.api_env, ["CS_ELEVENLABS_VOICES"])
      secrets     = ["CS_SESSION_SECRET", "ELEVENLABS_API_KEY"]
      publishes   = []
      subscribes  = []
      buckets     = { media = "roles/storage.objectAdmin" }
      firestore   = true
      sign_self   = true
    }
    # Advances jobs: dispatches tasks to a route, announces status changes.
    orchestrator = {
      kind        = "function"
      entry_point = "orchestrator"
      env         = local.core_env
      secrets     = []
      publishes   = ["tasks-gpu", "tasks-cloud", "job-events"]
      subscribes  = []
      buckets     = {}
      firestore   = true
      sign_self   = false
    }
    # Restarts stale attempts (a new JobCreated on jobs, or a task re-dispatched).
    sweeper = {
      kind        = "function"
      entry_point = "sweeper"
      env         = local.core_env
      secrets     = []
      publishes   = ["jobs", "tasks-gpu", "tasks-cloud", "job-events"]
      subscribes  = []
      buckets     = {}
      firestore   = true
      sign_self   = false
    }
    # The cloud route's worker: script, voice, music, render, Gemini stills; pushed, so no
    # subscriber role. Reports on jobs; reads media, writes work/ and renders/.
    cloud-render = {
      kind        = "run"
      entry_point = "cloud_render"
      env         = concat(local.core_env, ["CS_ELEVENLABS_VOICES"])
      secrets     = ["GEMINI_API_KEY", "ELEVENLABS_API_KEY"]
      publishes   = ["jobs", "job-events"]
      subscribes  = []
      firestore   = true
      sign_self   = false
      buckets     = { media = "roles/storage.objectAdmin", renders = "roles/storage.objectAdmin" }
    }
    # The same renderer on an NVIDIA L4 (var.serverless_gpu), in place of cloud-render.
    gpu-render = {
      kind        = "run"
      entry_point = "cloud_render"
      env         = concat(local.core_env, ["CS_ELEVENLABS_VOICES"])
      secrets     = ["GEMINI_API_KEY", "ELEVENLABS_API_KEY"]
      publishes   = ["jobs", "job-events"]
      subscribes  = []
      firestore   = true
      sign_self   = false
      buckets     = { media = "roles/storage.objectAdmin", renders = "roles/storage.objectAdmin" }
    }
    # GPU boxes (gpu_subscriber): pull their tasks, report on jobs, write stills, clips, renders.
    # Their environment is docker/gpu-box.env.example; their keys come from the operator.
    gpu-worker = {
      kind        = "box"
      entry_point = "gpu_subscriber"
      env         = concat(local.core_env, ["CS_ELEVENLABS_VOICES", "CS_MODELS_DIR"])
      secrets     = ["GEMINI_API_KEY", "ELEVENLABS_API_KEY"]
      publishes   = ["jobs", "job-events"]
      subscribes  = ["gpu-tasks"]
      firestore   = true
      sign_self   = false
      buckets     = { media = "roles/storage.objectAdmin", renders = "roles/storage.objectAdmin" }
    }
  }

  # The workloads that exist in this deployment (the GPU renderer only when asked for).
  deployed = {
    for name, w in local.workloads : name => w
    if name != "gpu-render" || var.serverless_gpu.enabled
  }
  functions = { for name, w in local.deployed : name => w if w.kind == "function" }
}
