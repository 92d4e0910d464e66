// Package webhook signs and verifies tourney's webhook deliveries.
//
// Every delivery is a POST whose X-Tourney-Signature header reads
//
//	t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>
//
// as Stripe signs its webhooks: the timestamp is signed with the body, so
// a captured delivery cannot be replayed later than the tolerance a
// receiver allows. A receiver in Go calls Verify; in any other language it
// recomputes the HMAC over the timestamp, a dot and the raw body, and
// compares in constant time.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The delivery headers.
const (
	SignatureHeader = "X-Tourney-Signature"
	DeliveryHeader  = "X-Tourney-Delivery" // the delivery id: the same on every retry
	EventHeader     = "X-Tourney-Event"    // the event type
)

// DefaultTolerance is how old a signature Verify accepts by default.
const DefaultTolerance = 5 * time.Minute

// Sign returns the X-Tourney-Signature value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Errors Verify returns.
var (
	ErrMalformed = errors.New("webhook: malformed " + SignatureHeader + " header")
	ErrMismatch  = errors.New("webhook: signature does not match")
	ErrTooOld    = errors.New("webhook: signature timestamp outside the tolerance")
)

// Verify checks header (the X-Tourney-Signature value) against body and
// secret, and that its timestamp is within tolerance of now (0: the
// default). Any v1 signature in the header may match (a receiver rotating
// secrets calls Verify once per secret).
func Verify(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil {
				return ErrMalformed
			}
			sigs = append(sigs, sig)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrMalformed
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w (%v)", ErrTooOld, d.Round(time.Second))
	}
	want := mac(secret, ts, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return ErrMismatch
}
