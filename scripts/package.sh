#!/usr/bin/env bash
# Packages one or more stages offline: no AWS account is contacted (dummy credentials, telemetry off).
# Usage: scripts/package.sh dev prod   -> .serverless-<stage>/ with the CloudFormation template and zips
set -euo pipefail
cd "$(dirname "$0")/.."
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-offline}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-offline}"
for stage in "${@:-dev prod}"; do
  for s in $stage; do
    echo "packaging stage $s"
    node_modules/.bin/sls package --stage "$s" --package ".serverless-$s"
  done
done
