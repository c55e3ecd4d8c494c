# Addresses that changed when the GPU worker became a row of workloads.tf.
moved {
  from = google_service_account.gpu_worker
  to   = google_service_account.workload["gpu-worker"]
}
