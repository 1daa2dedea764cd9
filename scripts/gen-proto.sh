#!/bin/sh
# Regenerates src/loggers/proto/** (TypeScript, @bufbuild/protobuf v2) from proto/**/*.proto.
# Uses the repo's own @bufbuild/buf and @bufbuild/protoc-gen-es (devDependencies); no network.
set -eu
cd "$(dirname "$0")/../proto"
rm -rf ../src/loggers/proto
../node_modules/.bin/buf generate
