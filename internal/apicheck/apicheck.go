// Package apicheck checks HTTP traffic against the OpenAPI document
// (docs/openapi.yaml) with kin-openapi: tests route their clients through
// Transport, and every request and response is validated. It fails a test
// on a route, status, header or field the document does not describe, so
// the document cannot drift from the server.
package apicheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/tourney/tourney/docs"
)

// Load parses and validates the document.
func Load() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml is not valid OpenAPI: %w", err)
	}
	return doc, nil
}

var loaded = sync.OnceValues(func() (routers.Router, error) {
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // match any host: test servers listen on random ports
	return gorillamux.NewRouter(doc)
})

// Transport returns next (http.DefaultTransport when nil) wrapped so that
// every exchange is checked against the document; a mismatch is a test
// error naming the request.
func Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	router, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	return &checker{report: t.Errorf, next: next, router: router}
}

type checker struct {
	report func(format string, args ...any)
	next   http.RoundTripper
	router routers.Router
}

func (c *checker) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	what := req.Method + " " + req.URL.RequestURI()
	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := c.router.FindRoute(check)
	if err != nil {
		// Not in the document: only a 404 or 405 error may answer it.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			c.report("openapi: %s is not in docs/openapi.yaml but answered %d", what, resp.StatusCode)
		}
		return resp, nil
	}
	in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	reqErr := openapi3filter.ValidateRequest(req.Context(), in)
	if reqErr != nil && resp.StatusCode < 400 {
		c.report("openapi: %s does not fit the document, yet the server answered %d: %v", what, resp.StatusCode, reqErr)
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	streaming := mediaType == "text/event-stream"
	var respBody []byte
	if !streaming {
		var readErr error
		respBody, readErr = io.ReadAll(resp.Body)
		resp.Body.Close()
		if readErr != nil {
			// Cut short (the server died mid-answer): the caller sees the
			// same error when it reads, and there is no answer to check.
			resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(respBody), errReader{readErr}))
			return resp, nil
		}
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(respBody)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: streaming || req.Method == http.MethodHead,
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		c.report("openapi: the answer to %s (%d) does not fit the document: %v\nbody: %s", what, resp.StatusCode, err, clip(respBody))
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func clip(b []byte) string {
	s := string(b)
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return strings.TrimSpace(s)
}

// Delivery checks a webhook delivery a test receiver got (its request and
// raw body) against the document's `webhooks: event` operation.
func Delivery(t testing.TB, req *http.Request, body []byte) {
	t.Helper()
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	item := doc.Webhooks["event"]
	if item == nil || item.Post == nil {
		t.Fatal("docs/openapi.yaml describes no webhooks: event: post")
	}
	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(body))
	route := &routers.Route{Spec: doc, Path: req.URL.Path, PathItem: item, Method: http.MethodPost, Operation: item.Post}
	in := &openapi3filter.RequestValidationInput{Request: check, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		t.Errorf("openapi: a webhook delivery does not fit webhooks.event in the document: %v\nbody: %s", err, clip(body))
	}
}
