#!/bin/sh
# Kubo's RPC API listens on 127.0.0.1 by default; inside the compose network the app must reach it. The port is not
# published to the host.
set -e
ipfs config Addresses.API /ip4/0.0.0.0/tcp/5001
