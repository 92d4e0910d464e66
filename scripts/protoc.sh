#!/usr/bin/env bash
# Regenerates shared/internal/proto from backend.proto. Installs protoc (Debian's
# protobuf-compiler) and the Go generators when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v protoc >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq protobuf-compiler >/dev/null
fi
GOBIN="$(go env GOPATH)/bin"
export PATH="$GOBIN:$PATH"
command -v protoc-gen-go >/dev/null || go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
command -v protoc-gen-go-grpc >/dev/null || go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
protoc -I shared/internal/proto \
  --go_out=shared/internal/proto --go_opt=paths=source_relative \
  --go-grpc_out=shared/internal/proto --go-grpc_opt=paths=source_relative \
  shared/internal/proto/backend.proto
echo "regenerated shared/internal/proto"
