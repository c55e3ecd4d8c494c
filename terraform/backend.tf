terraform {
  # The bucket is passed at init time: terraform init -backend-config="bucket=PROJECT-tfstate"
  backend "gcs" {
    prefix = "createstudio"
  }
}
