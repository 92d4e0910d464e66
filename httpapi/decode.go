// Decoding requests: path ids, strict JSON bodies with limits and deadlines.

package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tourney/tourney/tournament"
)

func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > tournament.MaxID {
		return 0, tournament.Errorf(tournament.CodeInvalidArgument,
			"%s in the path must be an integer from 1 to %d, got %q", name, int64(tournament.MaxID), v)
	}
	return n, nil
}

// decode reads one JSON object of type T from the body: at most MaxBody
// bytes, no unknown fields, nothing after it. An empty body is allowed when
// optional.
func decode[T any](w http.ResponseWriter, r *http.Request, optional bool) (T, error) {
	var v T
	body, err := readBody(w, r, MaxBody, bodyTimeout(r))
	if err != nil {
		return v, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return v, nil
		}
		return v, tournament.Errorf(tournament.CodeInvalidArgument, "request body is empty; want a JSON object")
	}
	if key, dup := duplicateKey(body); dup {
		return v, tournament.Errorf(tournament.CodeInvalidArgument, "field %q appears twice in the request body", key)
	}
	// encoding/json matches field names ignoring case; the API does not.
	names := fieldNames(reflect.TypeFor[T]())
	if key, want, ok := caseMismatch(body, names); ok {
		return v, tournament.Errorf(tournament.CodeInvalidArgument, "unknown field %q (field names are lower case: %q)", key, want)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return v, tournament.Errorf(tournament.CodeInvalidArgument, "request body has data after the JSON object")
	}
	return v, nil
}

// bodyReadTimeout is the default of Options.BodyTimeout.
const bodyReadTimeout = 10 * time.Second

type bodyTimeoutKey struct{}

func bodyTimeout(r *http.Request) time.Duration {
	if d, _ := r.Context().Value(bodyTimeoutKey{}).(time.Duration); d > 0 {
		return d
	}
	return bodyReadTimeout
}

// readBody reads at most limit bytes of the body within timeout.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration) ([]byte, error) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, bodyError(err, timeout)
	}
	return body, nil
}

// bodyError names what went wrong reading a body, and nothing internal
// (no socket addresses).
func bodyError(err error, timeout time.Duration) error {
	var mb *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mb):
		return &tooLargeError{limit: mb.Limit}
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return tournament.Errorf(tournament.CodeInvalidArgument,
			"the request body did not arrive within %v (is it shorter than its Content-Length?)", timeout)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tournament.Errorf(tournament.CodeInvalidArgument, "the request body ended before its Content-Length")
	}
	return tournament.Errorf(tournament.CodeInvalidArgument, "the request body could not be read")
}

// duplicateKey reports the first key that appears twice in one JSON
// object of body (at any depth). encoding/json would keep the last one
// silently. Malformed JSON is left to the decoder to report.
func duplicateKey(body []byte) (key string, dup bool) {
	walkKeys(body, func(k string, seen, _ bool) bool {
		key, dup = k, seen
		return !seen
	})
	return key, dup
}

// caseMismatch reports the first key of body that is one of names (lower
// case -> the exact name) only when case is ignored. A participant's meta
// is the caller's own: its keys are not the API's field names.
func caseMismatch(body []byte, names map[string]string) (key, want string, bad bool) {
	walkKeys(body, func(k string, _, free bool) bool {
		if exact, ok := names[strings.ToLower(k)]; ok && exact != k && !free {
			key, want, bad = k, exact, true
		}
		return !bad
	})
	return key, want, bad
}

var fieldNameCache sync.Map // reflect.Type -> map[string]string

// fieldNames returns the JSON field names of t and of every type inside it,
// by their lower-case form.
func fieldNames(t reflect.Type) map[string]string {
	if m, ok := fieldNameCache.Load(t); ok {
		return m.(map[string]string)
	}
	m := map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for f := range t.Fields() {
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			m[strings.ToLower(name)] = name
			walk(f.Type)
		}
	}
	walk(t)
	fieldNameCache.Store(t, m)
	return m
}

// walkKeys calls visit with every object key of body (at any depth),
// whether it appeared before in the same object, and whether it is inside
// a "meta" object (free-form keys), until visit returns false.
func walkKeys(body []byte, visit func(key string, seen, free bool) bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys   map[string]bool
		object bool
		expect bool   // an object expects a key next
		last   string // an object's key whose value comes next
		free   bool   // inside a meta object
	}
	// free is whether a value opened now is inside a meta object.
	free := func(stack []frame) bool {
		n := len(stack)
		return n > 0 && (stack[n-1].free || (stack[n-1].object && stack[n-1].last == "meta"))
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, frame{keys: map[string]bool{}, object: true, expect: true, free: free(stack)})
				continue
			case '[':
				stack = append(stack, frame{free: free(stack)})
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		} else if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expect {
			key, _ := tok.(string)
			if !visit(key, stack[n-1].keys[key], stack[n-1].free) {
				return
			}
			stack[n-1].keys[key] = true
			stack[n-1].expect, stack[n-1].last = false, key
			continue
		}
		// A value ended: the enclosing object expects a key again.
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expect = true
		}
		if len(stack) == 0 {
			return
		}
	}
}

// tooLargeError is invalid_argument with status 413.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("request body is larger than %d bytes", e.limit)
}

// scoreList is a series' scores as a request gives them: each entry exactly
// two non-negative integers (encoding/json would fill a missing score with
// 0 and drop a third one silently).
type scoreList [][2]int

// UnmarshalJSON reads the list strictly, naming the first bad entry.
func (s *scoreList) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*s = nil
		return nil
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(b, &entries); err != nil {
		return tournament.Errorf(tournament.CodeInvalidArgument,
			"scores must be a list of games, each [player_1's score, player_2's score], got %s", abbreviate(b))
	}
	out := make([][2]int, len(entries))
	for i, e := range entries {
		var pair []json.RawMessage
		ok := json.Unmarshal(e, &pair) == nil && len(pair) == 2
		for j := 0; ok && j < 2; j++ {
			// The literal itself: no string, fraction or exponent.
			n, err := strconv.ParseInt(string(bytes.TrimSpace(pair[j])), 10, 32)
			ok = err == nil && n >= 0
			out[i][j] = int(n)
		}
		if !ok {
			return tournament.Errorf(tournament.CodeInvalidArgument,
				"scores[%d] must be exactly two non-negative integers [player_1's score, player_2's score], got %s", i, abbreviate(e))
		}
	}
	*s = out
	return nil
}

// abbreviate shows at most 40 bytes of a value in an error message.
func abbreviate(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

func jsonError(err error) error {
	var de *tournament.Error
	if errors.As(err, &de) {
		return de // a field's own decoder named the problem
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return tournament.Errorf(tournament.CodeInvalidArgument, "malformed JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return tournament.Errorf(tournament.CodeInvalidArgument, "request body must be a JSON object, got %s", typ.Value)
		}
		return tournament.Errorf(tournament.CodeInvalidArgument, "field %q must be %s, got %s", typ.Field,
			typeName(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tournament.Errorf(tournament.CodeInvalidArgument, "malformed JSON: unexpected end of body")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return tournament.Errorf(tournament.CodeInvalidArgument, "unknown field %s", f)
	}
	return tournament.Errorf(tournament.CodeInvalidArgument, "invalid JSON: %s", msg)
}

func typeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"):
		return "an integer"
	case kind == "bool":
		return "true or false"
	case kind == "string":
		return "a string"
	}
	return kind
}
