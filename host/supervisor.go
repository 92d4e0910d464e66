package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/tourney/tourney/shared"
	"google.golang.org/grpc"
)

// PluginState is where a supervised plugin is in its life.
type PluginState string

// Plugin states.
const (
	PluginStarting PluginState = "starting"
	PluginRunning  PluginState = "running"
	PluginBackoff  PluginState = "restarting" // exited; waiting to be relaunched
	PluginStopped  PluginState = "stopped"
)

// PluginInfo describes a supervised plugin for /v1/status.
type PluginInfo struct {
	Name     string      `json:"name"`
	Path     string      `json:"path"`
	PID      int         `json:"pid,omitempty"`
	State    PluginState `json:"state"`
	Protocol int         `json:"protocol,omitempty"`
	Calls    string      `json:"calls,omitempty"` // how calls travel: streams or unary
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

// supervisor launches one plugin binary, hands out its Backend, and
// relaunches it when the process dies. A go-plugin Client cannot be started
// twice, so every launch builds a new one; the supervisor kills its own
// clients rather than rely on go-plugin's global cleanup.
type supervisor struct {
	name      string
	path      string
	checksum  []byte
	env       []string
	logger    hclog.Logger
	sockets   string        // this host's socket directory
	handshake time.Duration // longest a launch may take (CONNECT_TIMEOUT)
	unary     bool          // TOURNEY_PLUGIN_STREAMS=off: no Calls streams
	procs     int           // TOURNEY_PLUGIN_PROCS: the plugin's GOMAXPROCS (0: Go's default)

	mu       sync.Mutex
	client   *plugin.Client
	backend  shared.PluginClient
	ready    chan struct{} // closed while backend is usable
	state    PluginState
	restarts int
	launches uint64 // successful launches: each one starts empty
	lastErr  error
	closed   bool

	stop chan struct{}
	done chan struct{}
}

func newSupervisor(name, path, checksumHex string, env []string, logger hclog.Logger, sockets string,
	handshake time.Duration) (*supervisor, error) {
	s := &supervisor{name: name, path: path, env: env, logger: logger.Named(name), sockets: sockets, handshake: handshake,
		ready: make(chan struct{}), state: PluginStarting, stop: make(chan struct{}), done: make(chan struct{})}
	if checksumHex != "" {
		sum, err := hex.DecodeString(checksumHex)
		if err != nil || len(sum) != sha256.Size {
			return nil, fmt.Errorf("plugin %s: checksum must be 64 hexadecimal digits", name)
		}
		s.checksum = sum
	}
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("plugin %s: %w", name, err)
	} else if st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("plugin %s: %s is not an executable file", name, path)
	}
	return s, nil
}

// start launches the plugin once, synchronously, then supervises it in the
// background.
func (s *supervisor) start() error {
	if err := s.launch(); err != nil {
		close(s.done)
		return err
	}
	go s.supervise()
	return nil
}

// socketDir keeps go-plugin's Unix socket paths short (about 104 bytes at most).
func socketDir() string {
	if d := os.TempDir(); len(d) < 40 {
		return d
	}
	return "/tmp"
}

func (s *supervisor) launch() error {
	cmd := exec.Command(s.path) // launched directly: SecureConfig hashes cmd.Path
	cmd.Env = pluginEnv(s.env)
	if s.procs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(s.procs)) // the last one counts
	}
	// Its own process group, so that a plugin that fails its handshake is
	// killed with every child it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var secure *plugin.SecureConfig
	if s.checksum != nil {
		secure = &plugin.SecureConfig{Checksum: s.checksum, Hash: sha256.New()} // a fresh hash per client
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  shared.Handshake,
		VersionedPlugins: shared.PluginSetsWith(shared.BackendPlugin{UnaryCalls: s.unary}),
		Cmd:              cmd,
		SkipHostEnv:      true, // cmd.Env already holds it, with our configuration last
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		SecureConfig:     secure,
		Logger:           s.logger,
		StartTimeout:     s.handshake,
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: s.sockets},
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
		return fmt.Errorf("plugin %s (%s): %w", s.name, s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		go killWithTimeout(client, s.logger)
		return errors.New("host is closing")
	}
	s.client, s.backend, s.state = client, backend, PluginRunning
	s.launches++
	close(s.ready)
	s.logger.Info("plugin running", "path", s.path, "pid", client.ReattachConfig().Pid, "protocol", client.NegotiatedVersion(),
		"serves", s.backend.Capabilities())
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
func (s *supervisor) supervise() {
	defer close(s.done)
	delay := backoffMin
	for {
		s.mu.Lock()
		b, started := s.backend, time.Now()
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-b.Done():
		}
		s.mu.Lock()
		s.ready, s.state, s.backend = make(chan struct{}), PluginBackoff, nil
		old := s.client
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

// get returns the running plugin's Backend, waiting while it restarts until
// ctx is done.
func (s *supervisor) get(ctx context.Context) (shared.Backend, error) {
	for {
		s.mu.Lock()
		b, ready, closed := s.backend, s.ready, s.closed
		s.mu.Unlock()
		if closed {
			return nil, Refused("plugin %s is stopped", s.name)
		}
		if b != nil {
			return b, nil
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, Refused("plugin %s is restarting", s.name)
		}
	}
}

func (s *supervisor) info() PluginInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := PluginInfo{Name: s.name, Path: s.path, State: s.state, Restarts: s.restarts}
	if s.lastErr != nil {
		in.LastError = s.lastErr.Error()
	}
	if s.backend != nil && s.client != nil {
		if rc := s.client.ReattachConfig(); rc != nil {
			in.PID = rc.Pid
		}
		in.Protocol, in.Calls, in.Capabilities = s.client.NegotiatedVersion(), s.backend.Calls(), s.backend.Capabilities()
	}
	return in
}

// close stops supervision and kills the plugin process.
func (s *supervisor) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed, s.state = true, PluginStopped
	client := s.client
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

// generation counts successful launches; a new one means a fresh process
// (for the memory plugin: empty).
func (s *supervisor) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.launches
}
