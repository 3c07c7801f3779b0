package cli

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/daemon"
	"github.com/keepalived-go/keepalived/parser"
)

// The control socket is how `keepalived status` and `keepalived reload
// --plan` ask the running VRRP child. It is a unix stream socket beside the
// VRRP pidfile (controlSocketPath), mode 0600, and only root or our own user
// may use it (SO_PEERCRED). One request per connection: a JSON object on
// one line, answered by one JSON object, then the server closes.
//
//	{"op":"status"}
//	{"op":"plan"}                          plan for the daemon's own config file
//	{"op":"plan","config_file":"/x.conf"}  plan for another file

// controlRequest is one request.
type controlRequest struct {
	Op         string `json:"op"`
	ConfigFile string `json:"config_file,omitempty"`
}

// controlResponse is one answer. Error is set when the request could not be
// served; a plan refused because the configuration has errors is not an
// Error: Refused is true and Diagnostics says why.
type controlResponse struct {
	Error  string      `json:"error,omitempty"`
	Status *statusInfo `json:"status,omitempty"`
	// Plan is config.Plan as JSON (kept raw: the client prints it, it
	// does not need to decode it); PlanText its text form; PlanEmpty says
	// that the reload would change nothing.
	Plan      json.RawMessage `json:"plan,omitempty"`
	PlanText  string          `json:"plan_text,omitempty"`
	PlanEmpty bool            `json:"plan_empty,omitempty"`
	Refused   bool            `json:"refused,omitempty"`
	// Diagnostics are the findings in the file planned for, as
	// `FILE:LINE:COL: severity: message` lines.
	Diagnostics []string `json:"diagnostics,omitempty"`
	// Running names the configuration the plan starts from.
	Running *configStamp `json:"running,omitempty"`
}

// statusInfo is what `keepalived status` shows.
type statusInfo struct {
	Version       string         `json:"version"`
	PID           int            `json:"pid"`
	ParentPID     int            `json:"parent_pid"`
	Started       time.Time      `json:"started"`
	LastReload    *time.Time     `json:"last_reload,omitempty"`
	ConfigFile    string         `json:"config_file"`
	ConfigID      string         `json:"config_id,omitempty"`
	Config        configStamp    `json:"config"`
	Instances     []instanceInfo `json:"instances"`
	SyncGroups    []string       `json:"sync_groups,omitempty"`
	ChangedOnDisk bool           `json:"changed_on_disk"`
}

// configStamp identifies a loaded configuration: its files and a hash of
// their contents when it was loaded.
type configStamp struct {
	Files  []string `json:"files"`
	SHA256 string   `json:"sha256"`
}

// instanceInfo is one running instance: as configured, and its state from
// the daemon's snapshot (daemon.Status).
type instanceInfo struct {
	Name              string `json:"name"`
	Interface         string `json:"interface"`
	VRID              int    `json:"vrid"`
	Priority          int    `json:"priority"`
	VIPs              int    `json:"vips"`
	State             string `json:"state,omitempty"`
	EffectivePriority int    `json:"effective_priority,omitempty"`
	Master            string `json:"master,omitempty"`
	MasterPriority    int    `json:"master_priority,omitempty"`
	SyncGroup         string `json:"sync_group,omitempty"`
	// Conflicts are the VIP conflicts the daemon confirmed (daemon/conflict.go).
	Conflicts []daemon.ConflictStatus `json:"conflicts,omitempty"`
}

// controlServer serves the control socket in the VRRP child.
type controlServer struct {
	d          *daemon.Daemon
	lg         *slog.Logger
	started    time.Time
	configFile string
	configID   string
	parentPID  int

	mu         sync.Mutex
	lastReload *time.Time
	stamp      *configStamp // of the running configuration, set lazily

	ln   net.Listener
	path string
}

// listen creates the socket (replacing a stale one) and serves it.
func (s *controlServer) listen(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	old := unix.Umask(0o177)
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return err
	}
	s.ln, s.path = ln, path
	go s.serve()
	return nil
}

func (s *controlServer) close() {
	if s.ln != nil {
		s.ln.Close()
		os.Remove(s.path)
	}
}

// reloaded records a successful reload: the running configuration changed.
func (s *controlServer) reloaded(t time.Time) {
	s.mu.Lock()
	s.lastReload = &t
	s.stamp = nil
	s.mu.Unlock()
}

func (s *controlServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.handle(c.(*net.UnixConn))
	}
}

func (s *controlServer) handle(c *net.UnixConn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	enc := json.NewEncoder(c)
	if err := checkPeer(c); err != nil {
		enc.Encode(controlResponse{Error: err.Error()})
		return
	}
	line, err := bufio.NewReader(io.LimitReader(c, 64<<10)).ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return
	}
	var req controlRequest
	if err := json.Unmarshal(line, &req); err != nil {
		enc.Encode(controlResponse{Error: "cli: control: bad request: " + err.Error()})
		return
	}
	enc.Encode(s.answer(req))
}

// checkPeer allows root and our own user only.
func checkPeer(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var cerr error
	raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	})
	if cerr != nil {
		return fmt.Errorf("cli: control: peer credentials: %w", cerr)
	}
	if cred.Uid != 0 && int(cred.Uid) != os.Getuid() {
		return errors.New("cli: control: permission denied")
	}
	return nil
}

func (s *controlServer) answer(req controlRequest) controlResponse {
	running := s.d.Config()
	stamp := s.runningStamp(running)
	switch req.Op {
	case "status":
		return controlResponse{Status: s.status(running, stamp)}
	case "plan":
		path := req.ConfigFile
		if path == "" {
			path = s.configFile
		}
		next, diags, err := parser.LoadFile(path, parser.Options{ConfigID: s.configID})
		if err != nil {
			return controlResponse{Error: fmt.Sprintf("cli: control: load %s: %v", path, err), Running: &stamp}
		}
		resp := controlResponse{Running: &stamp}
		for _, d := range diags {
			resp.Diagnostics = append(resp.Diagnostics, d.String())
		}
		if diags.HasErrors() || next == nil {
			resp.Refused = true
			return resp
		}
		plan := daemon.PlanReload(running, next)
		b, err := json.Marshal(plan)
		if err != nil {
			return controlResponse{Error: "cli: control: plan: " + err.Error()}
		}
		resp.Plan, resp.PlanText, resp.PlanEmpty = b, fmt.Sprint(plan), plan.Empty()
		return resp
	}
	return controlResponse{Error: fmt.Sprintf("cli: control: unknown op %q", req.Op)}
}

// runningStamp hashes the running configuration's files the first time it
// is asked after a start or a reload (the files are read again then, so an
// edit between the load and that moment goes unnoticed; the window is the
// time between the load and the first status request).
func (s *controlServer) runningStamp(running *config.Config) configStamp {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stamp == nil {
		st := stampFiles(filesOf(running, s.configFile))
		s.stamp = &st
	}
	return *s.stamp
}

func filesOf(c *config.Config, main string) []string {
	if c != nil && len(c.Files) > 0 {
		return c.Files
	}
	return []string{main}
}

// stampFiles hashes the files' names and contents, in order.
func stampFiles(files []string) configStamp {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00", f)
		if b, err := os.ReadFile(f); err == nil {
			fmt.Fprintf(h, "%d\x00", len(b))
			h.Write(b)
		} else {
			h.Write([]byte("missing\x00"))
		}
	}
	return configStamp{Files: files, SHA256: hex.EncodeToString(h.Sum(nil))}
}

func (s *controlServer) status(running *config.Config, stamp configStamp) *statusInfo {
	s.mu.Lock()
	last := s.lastReload
	s.mu.Unlock()
	st := &statusInfo{
		Version:    versionString(),
		PID:        os.Getpid(),
		ParentPID:  s.parentPID,
		Started:    s.started,
		LastReload: last,
		ConfigFile: s.configFile,
		ConfigID:   s.configID,
		Config:     stamp,
		Instances:  []instanceInfo{},
	}
	st.ChangedOnDisk = stampFiles(stamp.Files).SHA256 != stamp.SHA256
	if snap, err := s.d.Status(); err == nil {
		for _, in := range snap.Instances {
			st.Instances = append(st.Instances, instanceInfo{
				Name: in.Name, Interface: in.Interface, VRID: in.VRID,
				Priority: in.BasePriority, VIPs: len(in.VIPs), State: in.State,
				EffectivePriority: in.EffectivePriority, Master: in.MasterAddr,
				MasterPriority: in.MasterPriority, SyncGroup: in.SyncGroup, Conflicts: in.Conflicts,
			})
		}
	} else if running != nil {
		for _, in := range running.Instances {
			st.Instances = append(st.Instances, instanceInfo{
				Name: in.Name, Interface: in.Interface, VRID: in.VRID,
				Priority: in.Priority, VIPs: len(in.VIPs),
			})
		}
	}
	if running != nil {
		for _, g := range running.SyncGroups {
			st.SyncGroups = append(st.SyncGroups, g.Name)
		}
	}
	return st
}

// askControl sends one request to the socket and returns the answer.
func askControl(path string, req controlRequest) (controlResponse, error) {
	var resp controlResponse
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return resp, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	b, _ := json.Marshal(req)
	if _, err := c.Write(append(b, '\n')); err != nil {
		return resp, err
	}
	if err := json.NewDecoder(c).Decode(&resp); err != nil {
		return resp, fmt.Errorf("cli: control: %w", err)
	}
	if resp.Error != "" {
		return resp, errors.New(resp.Error)
	}
	return resp, nil
}
