package plugins

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/prometheus/procfs"
	"github.com/tourney/tourney/host/internal/notapplied"
	"github.com/tourney/tourney/shared"
	"google.golang.org/grpc"
)

// State is where a supervised plugin is in its life.
type State string

// Plugin states.
const (
	Starting State = "starting"
	Running  State = "running"
	Backoff  State = "restarting" // exited; waiting to be relaunched
	Stopped  State = "stopped"
)

// Info describes a supervised plugin for /v1/status.
type Info struct {
	Name     string `json:"name"`
	Path     string `json:"path"`
	PID      int    `json:"pid,omitempty"`
	State    State  `json:"state"`
	Protocol int    `json:"protocol,omitempty"`
	Calls    string `json:"calls,omitempty"` // how calls travel: streams or unary
	// Capabilities are the optional parts the plugin announced it serves
	// (reconcile, player_index, webhooks).
	Capabilities []shared.Capability `json:"capabilities,omitempty"`
	Restarts     int                 `json:"restarts"`
	LastError    string              `json:"last_error,omitempty"`
}

// Restart backoff: a plugin that keeps crashing is relaunched after 100 ms,
// then twice as long each time up to 5 s; a plugin that stayed up for a
// minute starts over at 100 ms.
const (
	backoffMin    = 100 * time.Millisecond
	backoffMax    = 5 * time.Second
	backoffResets = time.Minute
	killTimeout   = 5 * time.Second
)

// Options say which plugin to launch and how.
type Options struct {
	// Setting names the variable that chose the plugin (TOURNEY_PRIMARY),
	// for errors.
	Setting string
	// Name is the plugin's name (plugin-NAME in Dir) or an absolute path.
	Name string
	// Dir holds the plugin binaries (TOURNEY_PLUGIN_DIR; "": beside this
	// executable).
	Dir string
	// Checksum is the sha256 (hex) the binary must have; "" looks it up in
	// the manifest beside it, unless Verify is false.
	Checksum string
	Verify   bool
	// Env is the configuration the plugin is started with, after the
	// host's environment (less TOURNEY_API_TOKEN).
	Env []string
	// Sockets is the host's socket directory (SocketDir).
	Sockets string
	// Handshake bounds a launch (CONNECT_TIMEOUT).
	Handshake time.Duration
	// Unary: no kept Calls streams (TOURNEY_PLUGIN_STREAMS=off).
	Unary bool
	// Procs is the plugin's GOMAXPROCS (TOURNEY_PLUGIN_PROCS; 0: Go's default).
	Procs  int
	Logger hclog.Logger
}

// Supervisor launches one plugin binary, hands out its Backend, and
// relaunches it when the process dies. A go-plugin Client cannot be started
// twice, so every launch builds a new one; the supervisor kills its own
// clients rather than rely on go-plugin's global cleanup.
type Supervisor struct {
	opts   Options // Name is the short name
	bin    binary
	logger hclog.Logger

	mu       sync.Mutex
	proc     process // the running launch
	state    State
	restarts int
	launches uint64 // successful launches: each one starts empty
	lastErr  error
	closed   bool

	stop, done chan struct{}
}

// binary is the plugin's executable and the sha256 it must have (nil: not
// checked).
type binary struct {
	path     string
	checksum []byte
}

// process is one launch of the plugin.
type process struct {
	client  *plugin.Client
	backend shared.PluginClient // nil while the plugin restarts
	ready   chan struct{}       // closed while backend is usable
}

// Start checks the binary (it exists, is executable, has the expected
// checksum), launches it once, synchronously, and then supervises it in
// the background. Errors name the setting that chose the plugin.
func Start(o Options) (*Supervisor, error) {
	s, err := newSupervisor(o)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", o.Setting, o.Name, err)
	}
	if err := s.launch(); err != nil {
		close(s.done)
		return nil, fmt.Errorf("%s=%s: %w", o.Setting, o.Name, err)
	}
	go s.supervise()
	return s, nil
}

func newSupervisor(o Options) (*Supervisor, error) {
	path, err := Path(o.Dir, o.Name)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: %w", filepath.Base(path), err)
	}
	checksum, err := expectedChecksum(path, o.Setting+"_SHA256", o.Checksum, o.Verify)
	if err != nil {
		return nil, err
	}
	if !o.Verify && checksum == "" {
		o.Logger.Warn("TOURNEY_PLUGIN_VERIFY=off: running a plugin binary without checking its checksum", "plugin", path)
	}
	o.Name = strings.TrimPrefix(filepath.Base(path), "plugin-")
	s := &Supervisor{opts: o, bin: binary{path: path}, logger: o.Logger.Named(o.Name), proc: process{ready: make(chan struct{})},
		state: Starting, stop: make(chan struct{}), done: make(chan struct{})}
	if checksum != "" {
		sum, err := hex.DecodeString(checksum)
		if err != nil || len(sum) != sha256.Size {
			return nil, fmt.Errorf("plugin %s: checksum must be 64 hexadecimal digits", o.Name)
		}
		s.bin.checksum = sum
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("plugin %s: %s is not an executable file", o.Name, path)
	}
	return s, nil
}

// Name is the plugin's short name ("redis" for plugin-redis).
func (s *Supervisor) Name() string { return s.opts.Name }

// Path returns the binary for a plugin name: an absolute path as is,
// else plugin-NAME in dir (default: the directory of this executable).
func Path(dir, name string) (string, error) {
	if filepath.IsAbs(name) {
		return name, nil
	}
	if dir == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("TOURNEY_PLUGIN_DIR is unset and the host's own directory is unknown: %w", err)
		}
		dir = filepath.Dir(exe)
	}
	return filepath.Join(dir, "plugin-"+name), nil
}

// socketDir keeps go-plugin's Unix socket paths short (about 104 bytes at most).
func socketDir() string {
	if d := os.TempDir(); len(d) < 40 {
		return d
	}
	return "/tmp"
}

func (s *Supervisor) launch() error {
	cmd := exec.Command(s.bin.path) // launched directly: SecureConfig hashes cmd.Path
	cmd.Env = pluginEnv(s.opts.Env)
	if s.opts.Procs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(s.opts.Procs)) // the last one counts
	}
	// Its own process group, so that a plugin that fails its handshake is
	// killed with every child it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var secure *plugin.SecureConfig
	if s.bin.checksum != nil {
		secure = &plugin.SecureConfig{Checksum: s.bin.checksum, Hash: sha256.New()} // a fresh hash per client
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  shared.Handshake,
		VersionedPlugins: shared.PluginSetsWith(shared.BackendPlugin{UnaryCalls: s.opts.Unary}),
		Cmd:              cmd,
		SkipHostEnv:      true, // cmd.Env already holds it, with our configuration last
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		SecureConfig:     secure,
		Logger:           s.logger,
		StartTimeout:     s.opts.Handshake,
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: s.opts.Sockets},
		GRPCDialOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(shared.MaxMessageSize), grpc.MaxCallSendMsgSize(shared.MaxMessageSize))},
	})
	backend, err := dispense(client)
	if err != nil {
		// The group first: a child holding the plugin's output open would
		// keep go-plugin's Kill waiting.
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		killWithTimeout(client, s.logger)
		s.mu.Lock()
		s.lastErr = err
		s.mu.Unlock()
		return fmt.Errorf("plugin %s (%s): %w", s.opts.Name, s.bin.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		go killWithTimeout(client, s.logger)
		return errors.New("host is closing")
	}
	s.proc.client, s.proc.backend, s.state = client, backend, Running
	s.launches++
	close(s.proc.ready)
	s.logger.Info("plugin running", "path", s.bin.path, "pid", client.ReattachConfig().Pid, "protocol", client.NegotiatedVersion(),
		"serves", backend.Capabilities())
	return nil
}

func dispense(client *plugin.Client) (shared.PluginClient, error) {
	rpc, err := client.Client()
	if err != nil {
		return nil, err
	}
	raw, err := rpc.Dispense(shared.PluginName)
	if err != nil {
		return nil, err
	}
	b, ok := raw.(shared.PluginClient)
	if !ok {
		return nil, fmt.Errorf("plugin served %T, not a tourney backend", raw)
	}
	b.Capabilities() // asked once now, so that nothing waits on it later
	return b, nil
}

// supervise waits for the plugin to exit and relaunches it with backoff.
func (s *Supervisor) supervise() {
	defer close(s.done)
	delay := backoffMin
	for {
		s.mu.Lock()
		b, started := s.proc.backend, time.Now()
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-b.Done():
		}
		s.mu.Lock()
		old := s.proc.client
		s.proc, s.state = process{ready: make(chan struct{})}, Backoff
		s.mu.Unlock()
		killWithTimeout(old, s.logger) // reaps and removes its socket dir
		if time.Since(started) > backoffResets {
			delay = backoffMin
		}
		for {
			s.logger.Warn("plugin exited; restarting", "after", delay)
			select {
			case <-s.stop:
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, backoffMax)
			s.mu.Lock()
			s.restarts++
			s.mu.Unlock()
			err := s.launch()
			if err == nil {
				break
			}
			s.logger.Error("plugin restart failed", "error", err)
		}
	}
}

// Backend returns the running plugin's Backend, waiting while it restarts
// until ctx is done.
func (s *Supervisor) Backend(ctx context.Context) (shared.Backend, error) {
	for {
		s.mu.Lock()
		b, ready, closed := s.proc.backend, s.proc.ready, s.closed
		s.mu.Unlock()
		if closed {
			return nil, notapplied.Errorf("plugin %s is stopped", s.opts.Name)
		}
		if b != nil {
			return b, nil
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, notapplied.Errorf("plugin %s is restarting", s.opts.Name)
		}
	}
}

// Info describes the plugin now.
func (s *Supervisor) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{Name: s.opts.Name, Path: s.bin.path, State: s.state, Restarts: s.restarts}
	if s.lastErr != nil {
		in.LastError = s.lastErr.Error()
	}
	if b, c := s.proc.backend, s.proc.client; b != nil && c != nil {
		if rc := c.ReattachConfig(); rc != nil {
			in.PID = rc.Pid
		}
		in.Protocol, in.Calls, in.Capabilities = c.NegotiatedVersion(), b.Calls(), b.Capabilities()
	}
	return in
}

// Close stops supervision and kills the plugin process. It is safe to
// call more than once.
func (s *Supervisor) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed, s.state = true, Stopped
	client := s.proc.client
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	killWithTimeout(client, s.logger)
}

// killWithTimeout kills a plugin client without hanging the host: go-plugin's
// Kill can block in gRPC Close.
func killWithTimeout(c *plugin.Client, logger hclog.Logger) {
	if c == nil {
		return
	}
	done := make(chan struct{})
	go func() { c.Kill(); close(done) }()
	select {
	case <-done:
	case <-time.After(killTimeout):
		logger.Error("plugin did not stop in time; abandoning it")
	}
}

// Generation counts successful launches; a new one means a fresh process
// (for the memory plugin: empty).
func (s *Supervisor) Generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.launches
}

// Procs is the number of cores the plugin may use (its GOMAXPROCS).
func (s *Supervisor) Procs() int {
	if s.opts.Procs > 0 {
		return s.opts.Procs
	}
	return runtime.NumCPU()
}

// CPUSeconds is the CPU time the running plugin process has used, where
// /proc tells (Linux); false elsewhere, or while no process runs.
func (s *Supervisor) CPUSeconds() (float64, bool) {
	pid := s.Info().PID
	if pid <= 0 {
		return 0, false
	}
	p, err := procfs.NewProc(pid)
	if err != nil {
		return 0, false
	}
	st, err := p.Stat()
	if err != nil {
		return 0, false
	}
	return st.CPUTime(), true
}
