// Package docs holds the documents the binaries serve: the OpenAPI 3.1
// description of the HTTP API (openapi.yaml), kept true by the tests that
// validate every request and response of the end-to-end suite against it.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
