package redis

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
	"github.com/tourney/tourney/tournament"
)

// createVia connects as REDIS_URL says and creates one tournament.
func createVia(t *testing.T, url string) error {
	t.Helper()
	cfg := config.Default()
	cfg.Redis.URL = url
	rdb, err := NewClient(cfg.Redis, cfg.Store.ConnectTimeout)
	if err != nil {
		t.Fatal(err)
	}
	b := New(rdb, Options{KeyPrefix: "u:"})
	defer b.Close()
	_, err = b.Create(ctx, shared.CreateRequest{Params: tournament.CreateParams{ID: 1, Name: "via url", MaxPlayers: 2, CreatorID: 1}})
	return err
}

func TestRedisURLWithACLUser(t *testing.T) {
	r := testutil.StartRedis(t, "--user", "alice", "on", ">s3cret", "~*", "&*", "+@all")
	// A wrong password is a misconfiguration, not an outage: failing over
	// would not fix it and would split the hosts' state.
	if err := createVia(t, fmt.Sprintf("redis://alice:wrong@%s/1", r.Addr())); !errors.Is(err,
		tournament.ErrInternal) || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Fatalf("a wrong password: %v, want internal naming WRONGPASS", err)
	}
	if err := createVia(t, fmt.Sprintf("redis://alice:s3cret@%s/1", r.Addr())); err != nil {
		t.Fatalf("as alice: %v", err)
	}
	if n, _ := r.Client(1).Exists(ctx, "u:tournament:{1}").Result(); n != 1 {
		t.Fatal("the tournament is not in db 1")
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tourney-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

func TestRedisURLWithTLS(t *testing.T) {
	cert, key := selfSigned(t, t.TempDir())
	port := testutil.FreePort(t)
	r := testutil.StartRedis(t, "--tls-port", fmt.Sprint(port), "--tls-cert-file", cert, "--tls-key-file", key,
		"--tls-ca-cert-file", cert, "--tls-auth-clients", "no")
	if err := createVia(t, fmt.Sprintf("rediss://127.0.0.1:%d/1?skip_verify=true", port)); err != nil {
		t.Fatalf("over TLS: %v", err)
	}
	if n, _ := r.Client(1).Exists(ctx, "u:tournament:{1}").Result(); n != 1 {
		t.Fatal("the tournament written over TLS is not there")
	}
	if err := createVia(t, fmt.Sprintf("redis://127.0.0.1:%d/1", port)); err == nil {
		t.Fatal("plain text to the TLS port worked: the TLS test proves nothing")
	}
}
