#!/bin/sh
# Regenerates src/loggers/proto/** (TypeScript, @bufbuild/protobuf v2) from proto/**/*.proto.
# The generators are fetched on demand from the npm registry (they are not devDependencies: the generated code is
# committed, and buf's platform binaries would make `npm ci` depend on every platform's package being published).
set -eu
cd "$(dirname "$0")/../proto"
rm -rf ../src/loggers/proto
PATH="$(npm exec --yes --package=@bufbuild/protoc-gen-es@2.17.0 -- sh -c 'dirname "$(command -v protoc-gen-es)"'):$PATH" \
  npx --yes @bufbuild/buf@1.74.0 generate
