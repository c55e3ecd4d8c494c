variable "project_id" {
  type        = string
  description = "The Google Cloud project to deploy into."
}

variable "region" {
  type        = string
  description = "Region for buckets, Firestore and (later) functions."
  default     = "europe-west1"
}

variable "topic_prefix" {
  type        = string
  description = "Prefix for every Pub/Sub topic and subscription (CS_TOPIC_PREFIX)."
  default     = ""
}

variable "editor_origins" {
  type        = list(string)
  description = "Origins of the web editor, allowed by the media bucket's CORS policy for signed PUT/GET."
  default     = []
}

variable "max_delivery_attempts" {
  type        = number
  description = "Deliveries before a task message is dead-lettered."
  default     = 5
}
