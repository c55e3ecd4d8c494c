variable "project_id" {
  type        = string
  description = "The Google Cloud project to deploy into."
}

variable "region" {
  type        = string
  description = "Region for buckets, Firestore, functions and Cloud Run. firebase.json's rewrites name the same region."
  default     = "europe-west1"
}

variable "topic_prefix" {
  type        = string
  description = "Prefix for every Pub/Sub topic and subscription (CS_TOPIC_PREFIX)."
  default     = ""
}

variable "editor_origins" {
  type        = list(string)
  description = "Extra origins of the web editor (besides Hosting's two default domains) for the buckets' CORS policy and the CSRF Origin check."
  default     = []
}

variable "max_delivery_attempts" {
  type        = number
  description = "Deliveries before a task message is dead-lettered."
  default     = 5
}

variable "image_tag" {
  type        = string
  description = "Tag of the container images in Artifact Registry (Cloud Build passes the commit SHA)."
}

variable "cpu_renderer_max_instances" {
  type        = number
  description = "Most CPU renderer instances at once (each renders one task with all its CPUs)."
  default     = 10
}

variable "serverless_gpu" {
  type = object({
    enabled       = bool
    max_instances = number
  })
  description = "Render the cloud route on Cloud Run with an NVIDIA L4 (NVENC) instead of the CPU renderer. Needs Cloud Run GPU quota in the region."
  default = {
    enabled       = false
    max_instances = 1
  }
}

variable "function_max_instances" {
  type        = number
  description = "Most instances of each API function (a cap on cost and on Firestore load)."
  default     = 20
}

variable "api_min_instances" {
  type        = number
  description = "Warm instances of the editor's hot paths (auth, jobs, projects); 0 scales them to zero."
  default     = 0
}

variable "elevenlabs_voices" {
  type        = string
  description = "CS_ELEVENLABS_VOICES: the ElevenLabs voices offered, as \"voice_id:Name,voice_id2:Name 2\"; empty offers only espeak-ng voices."
  default     = ""
}

variable "work_retention_days" {
  type        = number
  description = "Days before intermediate objects (renders bucket: work/, segments/) are deleted."
  default     = 7
}

variable "preview_retention_days" {
  type        = number
  description = "Days before preview-quality renders (renders bucket: previews/) are deleted; final renders stay until their job is."
  default     = 14
}

variable "alert_emails" {
  type        = list(string)
  description = "Addresses that receive the alert policies' notifications."
  default     = []
}

variable "gpu_box_expected" {
  type        = bool
  description = "Alert when no GPU box has pulled its subscription for gpu_silence_minutes (leave false in a project without GPU boxes)."
  default     = false
}

variable "gpu_silence_minutes" {
  type        = number
  description = "Minutes without a pull on the GPU task subscription before the silent-GPU-box alert fires."
  default     = 10
}

variable "gpu_box_identity_pool" {
  type = object({
    enabled     = bool
    issuer_uri  = string
    subject     = string
    allowed_aud = list(string)
  })
  description = "Workload identity federation for GPU boxes (key-less): an OIDC issuer the boxes' tokens come from and the subject allowed to act as the GPU worker. Disabled: boxes use a key file (docs/deploy.md)."
  default = {
    enabled     = false
    issuer_uri  = ""
    subject     = ""
    allowed_aud = []
  }
}
