# Alerts: a message dead-lettered anywhere, and GPU boxes gone silent.

resource "google_monitoring_notification_channel" "email" {
  for_each     = toset(var.alert_emails)
  display_name = "Create Studio alerts: ${each.key}"
  type         = "email"
  labels = {
    email_address = each.key
  }
  depends_on = [google_project_service.api]
}

resource "google_monitoring_alert_policy" "dead_letters" {
  display_name          = "Create Studio: messages dead-lettered"
  combiner              = "OR"
  notification_channels = [for c in google_monitoring_notification_channel.email : c.id]

  conditions {
    display_name = "A subscription forwarded a message to ${var.topic_prefix}dead-letter"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/dead_letter_message_count\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.subscription_id"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A task or job message failed ${var.max_delivery_attempts} deliveries. Read it from the `${var.topic_prefix}dead-letter-inbox` subscription (docs/deploy.md, \"Dead letters\")."
  }
}

# A GPU box online pulls gpu-tasks every few seconds while idle (the heartbeat's "pulling when
# idle", shared/pipeline/heartbeat.py), so no pull for a while means no box is online: jobs
# still run, in the cloud, slower, with a warning. Only where boxes are expected.
resource "google_monitoring_alert_policy" "gpu_box_silent" {
  count                 = var.gpu_box_expected ? 1 : 0
  display_name          = "Create Studio: no GPU box online"
  combiner              = "OR"
  notification_channels = [for c in google_monitoring_notification_channel.email : c.id]

  conditions {
    display_name = "No pull on ${var.topic_prefix}gpu-tasks for ${var.gpu_silence_minutes} minutes"
    condition_absent {
      filter   = "resource.type = \"pubsub_subscription\" AND resource.label.subscription_id = \"${var.topic_prefix}gpu-tasks\" AND metric.type = \"pubsub.googleapis.com/subscription/pull_request_count\""
      duration = "${var.gpu_silence_minutes * 60}s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_RATE"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "No GPU box has pulled its tasks for ${var.gpu_silence_minutes} minutes. On the box: `systemctl status createstudio-gpu` and `docker compose -f docker/compose.gpu.yaml logs` (docs/deploy.md, \"Add a GPU box\")."
  }
}

# Each GPU box on its own: the sweeper writes "gpu box silent" (shared/pipeline/sweep.py) every
# minute for each box that went quiet without stopping (dead, cut off, or beating but no longer
# pulling), so one box of several going down is seen although the others keep the
# subscription pulled. The metric counts those lines by box.
resource "google_logging_metric" "gpu_box_silent" {
  count  = var.gpu_box_expected ? 1 : 0
  name   = "${var.topic_prefix}gpu-box-silent"
  filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${google_cloudfunctions2_function.function["sweeper"].name}\" AND jsonPayload.message = \"gpu box silent\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "box_id"
      value_type  = "STRING"
      description = "The box's worker id (its heartbeat document)."
    }
  }
  label_extractors = {
    box_id = "EXTRACT(jsonPayload.box_id)"
  }
}

resource "google_monitoring_alert_policy" "gpu_box_each_silent" {
  count                 = var.gpu_box_expected ? 1 : 0
  display_name          = "Create Studio: a GPU box went silent"
  combiner              = "OR"
  notification_channels = [for c in google_monitoring_notification_channel.email : c.id]

  conditions {
    display_name = "The sweeper reports a GPU box silent"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.gpu_box_silent[0].name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "${var.gpu_silence_minutes * 60}s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.box_id"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A GPU box (the incident's box_id) has been silent for ${var.gpu_silence_minutes} minutes; its work already went to the cloud. On that box: `systemctl status createstudio-gpu` and `docker compose -f docker/compose.gpu.yaml logs` (docs/deploy.md, \"Add a GPU box\"). A box taken away for good stops being reported a day after its last heartbeat."
  }
}
