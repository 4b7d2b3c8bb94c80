#!/bin/bash
# The app container: run setup (idempotent: deploys the contract only if the chain has none at the recorded address,
# migrates, creates the share tables, seeds the admin), then serve. Every setting, each share node's connection
# string included, comes from the environment (docker-compose.yml).
set -euo pipefail
dotnet EhrShare.Web.dll setup --contract-file /data/contract-address --admin-password-file /data/admin-password
Chain__ContractAddress=$(cat /data/contract-address)
export Chain__ContractAddress
exec dotnet EhrShare.Web.dll --urls http://0.0.0.0:8080
