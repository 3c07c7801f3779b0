package daemon

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/config"
)

// The control socket is how `keepalived status` and `keepalived reload
// --plan` ask the running daemon. It is a unix stream socket beside the
// VRRP pidfile (process.ControlSocketPath), mode 0600, and only root or our own user
// may use it (SO_PEERCRED). One request per connection: a JSON object on
// one line, answered by one JSON object, then the server closes.
//
//	{"op":"status"}
//	{"op":"plan"}                          plan for the daemon's own config file
//	{"op":"plan","config_file":"/x.conf"}  plan for another file

// ControlRequest is one request.
type ControlRequest struct {
	Op         string `json:"op"`
	ConfigFile string `json:"config_file,omitempty"`
}

// ControlResponse is one answer. Error is set when the request could not be
// served; a plan refused because the configuration has errors is not an
// Error: Refused is true and Diagnostics says why.
type ControlResponse struct {
	Error  string         `json:"error,omitempty"`
	Status *ControlStatus `json:"status,omitempty"`
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
	Running *ConfigStamp `json:"running,omitempty"`
}

// ControlStatus is what `keepalived status` shows: the daemon's own status
// model (Status, the document of the HTTP /status: the
// configuration file and every instance), and around it what only the
// process knows: versions, PIDs, times, and whether the file changed.
type ControlStatus struct {
	Status
	Version       string      `json:"version"`
	PID           int         `json:"pid"`
	ParentPID     int         `json:"parent_pid"`
	Started       time.Time   `json:"started"`
	LastReload    *time.Time  `json:"last_reload,omitempty"`
	ConfigID      string      `json:"config_id,omitempty"`
	Config        ConfigStamp `json:"config"`
	SyncGroups    []string    `json:"sync_groups,omitempty"`
	ChangedOnDisk bool        `json:"changed_on_disk"`
}

// ConfigStamp identifies a loaded configuration: its files and a hash of
// their contents when it was loaded.
type ConfigStamp struct {
	Files  []string `json:"files"`
	SHA256 string   `json:"sha256"`
}

// ControlInfo is what the control socket tells about the process around
// the daemon.
type ControlInfo struct {
	Version   string // the version banner
	ParentPID int    // the supervising parent
}

// ControlServer serves the control socket of a daemon.
type ControlServer struct {
	d       *Daemon
	info    ControlInfo
	started time.Time

	mu         sync.Mutex
	lastReload *time.Time
	stamp      *ConfigStamp // of the running configuration, set lazily

	ln   net.Listener
	path string
}

// ServeControl creates the control socket at path (replacing a stale one)
// and serves it until Close. A request waits for the loop, which serves
// requests once every instance has started; once Run has returned, status
// answers with the instances as last configured.
func (d *Daemon) ServeControl(path string, info ControlInfo) (*ControlServer, error) {
	s := &ControlServer{d: d, info: info, started: d.opts.Now()}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	old := unix.Umask(0o177)
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("daemon: control: %w", err)
	}
	s.ln, s.path = ln, path
	go s.serve()
	return s, nil
}

// Close stops serving and removes the socket. A nil server does nothing.
func (s *ControlServer) Close() {
	if s != nil && s.ln != nil {
		s.ln.Close()
		os.Remove(s.path)
	}
}

// Reloaded records a successful reload at t: the running configuration
// changed. A nil server does nothing.
func (s *ControlServer) Reloaded(t time.Time) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.lastReload = &t
	s.stamp = nil
	s.mu.Unlock()
}

func (s *ControlServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.handle(c.(*net.UnixConn))
	}
}

func (s *ControlServer) handle(c *net.UnixConn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	enc := json.NewEncoder(c)
	if err := checkPeer(c); err != nil {
		enc.Encode(ControlResponse{Error: err.Error()})
		return
	}
	line, err := bufio.NewReader(io.LimitReader(c, 64<<10)).ReadBytes('\n')
	if err != nil && len(line) == 0 {
		return
	}
	var req ControlRequest
	if err := json.Unmarshal(line, &req); err != nil {
		enc.Encode(ControlResponse{Error: "daemon: control: bad request: " + err.Error()})
		return
	}
	enc.Encode(s.answer(req))
}

func (s *ControlServer) answer(req ControlRequest) ControlResponse {
	running := s.d.Config()
	stamp := s.runningStamp(running)
	switch req.Op {
	case "status":
		return ControlResponse{Status: s.status(running, stamp)}
	case "plan":
		path := req.ConfigFile
		if path == "" {
			path = s.d.opts.ConfigFile
		}
		next, diags, err := s.d.opts.Load(path, s.d.opts.ConfigID)
		if err != nil {
			return ControlResponse{Error: fmt.Sprintf("daemon: control: load %s: %v", path, err), Running: &stamp}
		}
		resp := ControlResponse{Running: &stamp}
		for _, d := range diags {
			resp.Diagnostics = append(resp.Diagnostics, d.String())
		}
		if diags.HasErrors() || next == nil {
			resp.Refused = true
			return resp
		}
		plan := PlanReload(running, next)
		b, err := json.Marshal(plan)
		if err != nil {
			return ControlResponse{Error: "daemon: control: plan: " + err.Error()}
		}
		resp.Plan, resp.PlanText, resp.PlanEmpty = b, fmt.Sprint(plan), plan.Empty()
		return resp
	}
	return ControlResponse{Error: fmt.Sprintf("daemon: control: unknown op %q", req.Op)}
}

// runningStamp hashes the running configuration's files the first time it
// is asked after a start or a reload (the files are read again then, so an
// edit between the load and that moment goes unnoticed; the window is the
// time between the load and the first status request).
func (s *ControlServer) runningStamp(running *config.Config) ConfigStamp {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stamp == nil {
		st := stampFiles(filesOf(running, s.d.opts.ConfigFile))
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
func stampFiles(files []string) ConfigStamp {
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
	return ConfigStamp{Files: files, SHA256: hex.EncodeToString(h.Sum(nil))}
}

func (s *ControlServer) status(running *config.Config, stamp ConfigStamp) *ControlStatus {
	s.mu.Lock()
	last := s.lastReload
	s.mu.Unlock()
	st := &ControlStatus{
		Status:     Status{ConfigFile: s.d.opts.ConfigFile, Instances: []InstanceStatus{}},
		Version:    s.info.Version,
		PID:        os.Getpid(),
		ParentPID:  s.info.ParentPID,
		Started:    s.started,
		LastReload: last,
		ConfigID:   s.d.opts.ConfigID,
		Config:     stamp,
	}
	st.ChangedOnDisk = stampFiles(stamp.Files).SHA256 != stamp.SHA256
	if snap, err := s.d.Status(); err == nil {
		st.Status = snap
	} else if running != nil {
		// Not running (yet, or any more): the instances as configured.
		for _, in := range running.Instances {
			vips := []string{}
			for _, a := range in.VIPs {
				vips = append(vips, a.Prefix.String())
			}
			st.Instances = append(st.Instances, InstanceStatus{
				Name: in.Name, Interface: in.Interface, VRID: in.VRID,
				BasePriority: in.Priority, VIPs: vips,
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

// AskControl sends one request to the socket at path and returns the
// answer (the client side, for `keepalived status` and `reload --plan`).
func AskControl(path string, req ControlRequest) (ControlResponse, error) {
	var resp ControlResponse
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
		return resp, fmt.Errorf("daemon: control: %w", err)
	}
	if resp.Error != "" {
		return resp, errors.New(resp.Error)
	}
	return resp, nil
}
