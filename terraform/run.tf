# The cloud route's renderer as Cloud Run services, pushed their tasks by the cloud-render
# subscription: the CPU renderer (always), and the same renderer on an NVIDIA L4 when
# var.serverless_gpu.enabled, which then takes the pushes instead (one subscription pushes to one
# endpoint). Both run docker/*.Dockerfile's CMD: functions-framework --target cloud_render.

locals {
  # docker/cpu-renderer.Dockerfile's CMD (tests/unit/test_terraform_containers.py keeps the two
  # equal): the GPU renderer runs it in place of the GPU box's own CMD.
  renderer_command = ["functions-framework", "--source=functions/main.py", "--target=cloud_render", "--port=8080"]

  renderers = {
    cpu-render = {
      workload      = "cloud-render"
      image         = local.images["cpu-renderer"]
      cpu           = "4"
      memory        = "8Gi"
      max_instances = var.cpu_renderer_max_instances
      gpu           = false
    }
    gpu-render = {
      workload = "gpu-render"
      # The GPU box's image (CUDA, FFmpeg with NVENC) running the cloud renderer's entry point.
      image         = local.images["gpu-box"]
      cpu           = "4" # Cloud Run's minimum beside a GPU
      memory        = "16Gi"
      max_instances = var.serverless_gpu.max_instances
      gpu           = true
    }
  }
  deployed_renderers = { for name, r in local.renderers : name => r if !r.gpu || var.serverless_gpu.enabled }

  # Push subscription => the service that handles it (main.tf's push_config).
  push_endpoints = {
    cloud-render = {
      service  = var.serverless_gpu.enabled ? "gpu-render" : "cpu-render"
      endpoint = google_cloud_run_v2_service.renderer[var.serverless_gpu.enabled ? "gpu-render" : "cpu-render"].uri
    }
  }
}

resource "google_cloud_run_v2_service" "renderer" {
  for_each            = local.deployed_renderers
  name                = "cs-${each.key}"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY" # Pub/Sub push counts as internal
  deletion_protection = false

  template {
    service_account = google_service_account.workload[each.value.workload].email
    # A render can outlive the push's 600 s deadline (functions/cloud_render.py): the longest a
    # Cloud Run request may take, so one segment's render is never cut off.
    timeout                          = "3600s"
    max_instance_request_concurrency = 1 # one task per instance, all its CPUs
    gpu_zonal_redundancy_disabled    = each.value.gpu ? true : null

    scaling {
      min_instance_count = 0
      max_instance_count = each.value.max_instances
    }

    dynamic "node_selector" {
      for_each = each.value.gpu ? [1] : []
      content {
        accelerator = "nvidia-l4"
      }
    }

    containers {
      image = each.value.image
      # The GPU image's own CMD is the GPU box; here it serves pushes like the CPU renderer.
      command = each.value.gpu ? slice(local.renderer_command, 0, 1) : null
      args    = each.value.gpu ? slice(local.renderer_command, 1, length(local.renderer_command)) : null

      resources {
        limits = merge(
          { cpu = each.value.cpu, memory = each.value.memory },
          each.value.gpu ? { "nvidia.com/gpu" = "1" } : {},
        )
        # CPU always allocated: the heartbeat thread beats between requests.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = toset(local.workloads[each.value.workload].env)
        content {
          name  = env.value
          value = local.env_values[env.value]
        }
      }

      dynamic "env" {
        for_each = toset(local.workloads[each.value.workload].secrets)
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.value].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        tcp_socket {
          port = 8080
        }
      }
    }
  }

  depends_on = [google_project_service.api, google_secret_manager_secret_iam_member.workload]
}

resource "google_cloud_run_v2_service_iam_member" "renderer_invoker" {
  for_each = local.deployed_renderers
  location = var.region
  name     = google_cloud_run_v2_service.renderer[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker["pubsub"].email}"
}
