#!/bin/sh
# Regenerates Sources/TroupeManifest/Schema/ManifestSchema.swift from schemas/manifest.schema.json
# (troupe init writes that copy into new projects). Run after editing the schema.
set -eu
cd "$(dirname "$0")/.."
out=Sources/TroupeManifest/Schema/ManifestSchema.swift
{
  echo "// The manifest's JSON schema, compiled in so \`troupe init\` can write a copy into a new project"
  echo "// (\`.troupe-schema/manifest.schema.json\`) that an editor loads offline. Generated from"
  echo "// schemas/manifest.schema.json by scripts/embed-schema.sh; a test checks the two are the same."
  echo
  echo "public enum ManifestSchema {"
  echo '    public static let json = #"""'
  cat schemas/manifest.schema.json
  echo '"""#'
  echo "}"
} > "$out"
