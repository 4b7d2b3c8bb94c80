#!/bin/bash
# The app container: derive the share-node connection strings, run setup (idempotent: deploys the contract only if
# the chain has none at the recorded address, migrates, seeds the admin), then serve.
set -euo pipefail
for ((i = 1; i <= ${SHARE_NODES:-5}; i++)); do
  export "ShareNodes__Nodes__$((i - 1))__Name=node-$i"
  export "ShareNodes__Nodes__$((i - 1))__ConnectionString=Server=${SHARE_NODE_HOST};Port=3306;Database=ehr_node_$i;User ID=ehrnode$i;Password=${SHARE_NODE_PASSWORD}-$i"
done
dotnet EhrShare.Web.dll setup --contract-file /data/contract-address --admin-password-file /data/admin-password
Chain__ContractAddress=$(cat /data/contract-address)
export Chain__ContractAddress
exec dotnet EhrShare.Web.dll --urls http://0.0.0.0:8080
