package plugins

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	cfg "github.com/tourney/tourney/shared/config"
)

// ManifestName is the checksum manifest `make build` writes beside the
// plugin binaries, in sha256sum's format ("<hex>  plugin-redis").
const ManifestName = "plugins.sha256"

// WriteManifest writes dir/plugins.sha256 with the sha256 of every
// plugin-* file in dir.
func WriteManifest(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, "plugin-*"))
	if err != nil {
		return err
	}
	slices.Sort(names)
	var b strings.Builder
	for _, p := range names {
		sum, err := fileSHA256(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, filepath.Base(p))
	}
	return os.WriteFile(filepath.Join(dir, ManifestName), []byte(b.String()), 0o644)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// expectedChecksum returns the sha256 a plugin binary must have: the
// variable's value when set (variable names it), else its line in the
// manifest beside the binary. Without either the plugin is refused, unless
// verification is off.
func expectedChecksum(path, variable, fromEnv string, verify bool) (string, error) {
	if fromEnv != "" || !verify {
		return fromEnv, nil
	}
	manifest := filepath.Join(filepath.Dir(path), ManifestName)
	f, err := os.Open(manifest)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("no checksum manifest %s beside the plugin: run `make build`, set %s, or set TOURNEY_PLUGIN_VERIFY=off to run unverified plugins", manifest, variable)
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(strings.TrimSpace(sc.Text()), "  ")
		if ok && strings.TrimPrefix(name, "*") == filepath.Base(path) {
			if len(sum) != 64 {
				return "", fmt.Errorf("%s: the checksum of %s is not 64 hexadecimal digits", manifest, name)
			}
			return sum, nil
		}
	}
	return "", fmt.Errorf("%s has no checksum for %s: rebuild with `make build`, set %s, or set TOURNEY_PLUGIN_VERIFY=off", manifest, filepath.Base(path), variable)
}

// pluginEnv is the environment a plugin is started with: the host's, less
// the host's own settings (the API token above all: a third-party plugin
// must not see it), then the plugins' part of the configuration.
func pluginEnv(config []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !cfg.HostVariable(name) {
			env = append(env, kv)
		}
	}
	return append(env, config...)
}

// SocketDir returns this host's own directory for go-plugin's Unix
// sockets, after removing the directories of hosts that died without
// cleaning up (SIGKILL leaves their sockets behind). The host removes it
// when it exits.
func SocketDir() (string, error) {
	base := socketDir()
	old, _ := filepath.Glob(filepath.Join(base, "tourney-sock-*"))
	for _, d := range old {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "tourney-sock-"))
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(d)
		}
	}
	dir := filepath.Join(base, "tourney-sock-"+strconv.Itoa(os.Getpid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("plugin socket directory: %w", err)
	}
	return dir, nil
}
