#!/usr/bin/env bash
# Applies scripts/terraform/main.tf (a dual-stack VPC with public and
# private subnets, an internet gateway, a NAT gateway, an egress-only
# internet gateway for IPv6, route tables, the default network ACL with
# IPv4 and IPv6 rules as the community VPC module writes it, a security
# group, an S3 gateway endpoint, the three SSM interface endpoints and a
# dual-stack KMS endpoint; hybrid.tf: a hub VPC on a transit gateway, a
# VPN with route propagation, a Route 53 private hosted zone, Route 53
# Resolver inbound and outbound endpoints with a forwarding rule; ram.tf:
# the transit gateway shared through RAM with a second account, which
# accepts, attaches its VPC and routes to the hub, the hub accepting the
# attachment) with the real
# Terraform AWS provider against a fresh vpce serve, then plans again
# (expecting no changes) and destroys. Needs terraform and the provider
# (hashicorp/aws 5.100.0) in a filesystem mirror: TF_PLUGIN_MIRROR
# (default /opt/tf-plugins).
#   bash scripts/terraform.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
command -v terraform >/dev/null || { echo "terraform is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/tfrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/tfrc" TF_IN_AUTOMATION=1
go build -o "$work/vpce" ./cmd/vpce
"$work/vpce" serve --state "$work/state" --listen 127.0.0.1:4593 --dns "" --proxy "" --provision-delay 1s --log-level warn &
for _ in $(seq 50); do curl -sf 127.0.0.1:4593/_vpce/health >/dev/null && break; sleep 0.2; done
mkdir "$work/tf" && cp scripts/terraform/*.tf "$work/tf/"
cd "$work/tf"
tf() { terraform "$@" -input=false -no-color -var endpoint=http://127.0.0.1:4593; }
terraform init -input=false -no-color >/dev/null
tf apply -auto-approve | tail -1
set +e
tf plan -detailed-exitcode > plan.txt
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "re-plan is not empty (exit $rc):"; grep -E '^\s+[~+-] |Plan:' plan.txt; exit 1
fi
echo "re-plan: no changes"
tf destroy -auto-approve | tail -1
