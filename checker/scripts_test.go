package checker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/internal/testenv"
)

// writeScript writes an executable file in dir.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// children lists our direct children from /proc: pid -> state letter.
func children(t *testing.T) map[int]byte {
	t.Helper()
	me := os.Getpid()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]byte{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		if ppid == me {
			out[pid] = f[0][0]
		}
	}
	return out
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] != 'Z'
}

func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still alive after %v", pid, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readPid(t *testing.T, path string, within time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				return pid
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pid in %s after %v", path, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runner starts Scripts.Run and collects its updates.
type runner struct {
	t      *testing.T
	ch     chan Update
	cancel context.CancelFunc
	done   chan struct{}
}

func startScripts(t *testing.T, s *Scripts) *runner {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{t: t, ch: make(chan Update, 100), cancel: cancel, done: make(chan struct{})}
	go func() {
		s.Run(ctx, r.ch)
		close(r.done)
	}()
	t.Cleanup(r.stop)
	return r
}

func (r *runner) stop() {
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.t.Error("Run did not return 10 s after its context ended")
	}
}

// next returns the next update or fails after within.
func (r *runner) next(within time.Duration) Update {
	r.t.Helper()
	select {
	case u := <-r.ch:
		return u
	case <-time.After(within):
		r.t.Fatalf("no update within %v", within)
	}
	return Update{}
}

// logs collects the Log lines of the next n updates.
func (r *runner) logs(n int, within time.Duration) []string {
	r.t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, r.next(within).Log)
	}
	return out
}

func cfgScript(name string, argv []string, interval, timeout time.Duration) *config.Script {
	return &config.Script{Name: name, Command: config.Command{Argv: argv}, Interval: interval, Timeout: timeout, Rise: 1, Fall: 1}
}

func newScripts(t *testing.T, opts ScriptOptions, scripts ...*config.Script) *Scripts {
	t.Helper()
	s, ds := NewScripts(scripts, opts)
	for _, d := range ds {
		t.Logf("finding: %v", d)
	}
	if got := len(s.Names()); got != len(scripts) {
		t.Fatalf("NewScripts kept %d of %d scripts: %v", got, len(scripts), ds)
	}
	return s
}

func TestScriptExitCodes(t *testing.T) {
	dir := t.TempDir()
	ok := writeScript(t, dir, "ok", "#!/bin/sh\nexit 0\n")
	three := writeScript(t, dir, "three", "#!/bin/sh\nexit 3\n")
	// Fails the first time, succeeds after (a state file flips it).
	flip := writeScript(t, dir, "flip", "#!/bin/sh\nif [ -e "+dir+"/flipped ]; then exit 0; fi\ntouch "+dir+"/flipped\nexit 1\n")

	tests := []struct {
		name string
		argv []string
		want []string
		ok   []bool
	}{
		{"success", []string{ok}, []string{"VRRP_Script(s) succeeded"}, []bool{true}},
		{"exit 3", []string{three}, []string{"Script `s` now returning 3", "VRRP_Script(s) failed (exited with status 3)"}, []bool{false, false}},
		{"bare name through PATH", []string{"true"}, []string{"VRRP_Script(s) succeeded"}, []bool{true}},
		{"argument passed", []string{"/bin/sh", "-c", "exit $0", "5"}, []string{"Script `s` now returning 5", "VRRP_Script(s) failed (exited with status 5)"}, []bool{false, false}},
		{"killed by a signal", []string{"/bin/sh", "-c", "kill -USR1 $$"}, []string{"VRRP_Script(s) failed (due to signal 10)"}, []bool{false}},
		{"failure then success", []string{flip}, []string{"Script `s` now returning 1", "VRRP_Script(s) failed (exited with status 1)", "Script `s` now returning 0", "VRRP_Script(s) succeeded"}, []bool{false, false, false, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A timeout of its own: the default (the interval, 100 ms) is
			// shorter than a fork and exec of sh on a loaded machine.
			s := newScripts(t, ScriptOptions{}, cfgScript("s", tc.argv, 100*time.Millisecond, 5*time.Second))
			r := startScripts(t, s)
			for i, want := range tc.want {
				u := r.next(5 * time.Second)
				if u.Kind != "script" || u.Name != "s" || u.Log != want || u.OK != tc.ok[i] {
					t.Fatalf("update %d = %+v, want Log %q OK %v", i, u, want, tc.ok[i])
				}
			}
			// The state is stable afterwards: no further updates.
			select {
			case u := <-r.ch:
				t.Fatalf("unexpected update %+v", u)
			case <-time.After(350 * time.Millisecond):
			}
			wantState := tc.ok[len(tc.ok)-1]
			if st, found := s.States()["s"]; !found || st != wantState {
				t.Fatalf("States() = %v, want s=%v", s.States(), wantState)
			}
		})
	}
}

func TestScriptNotShebangRunsThroughShell(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "plain", "exit 4\n")
	s := newScripts(t, ScriptOptions{}, cfgScript("s", []string{p}, time.Second, 0))
	if prog := s.Program("s"); prog == nil || !prog.Shell {
		t.Fatalf("program %+v: want Shell", prog)
	}
	r := startScripts(t, s)
	if got := r.logs(2, 5*time.Second); got[1] != "VRRP_Script(s) failed (exited with status 4)" {
		t.Fatalf("logs %q", got)
	}
}

func TestScriptRedirectSpecialCase(t *testing.T) {
	dir := t.TempDir()
	present := writeScript(t, dir, "present", "x")
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"<" + present}, "VRRP_Script(s) succeeded"},
		{[]string{"< " + dir + "/absent"}, "VRRP_Script(s) failed (exited with status 2)"},
	}
	for _, tc := range tests {
		t.Run(tc.argv[0], func(t *testing.T) {
			s := newScripts(t, ScriptOptions{}, cfgScript("s", tc.argv, time.Second, 0))
			if prog := s.Program("s"); prog == nil || !prog.Shell || !prog.system {
				t.Fatalf("program %+v: want the system() special case", prog)
			}
			r := startScripts(t, s)
			var last string
			for last == "" || strings.HasPrefix(last, "Script `") {
				last = r.next(5 * time.Second).Log
			}
			if last != tc.want {
				t.Fatalf("got %q, want %q", last, tc.want)
			}
		})
	}
}

func TestScriptTimeoutKillsProcessGroup(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "sleeper", "#!/bin/sh\nsleep 1000 &\necho $! > "+dir+"/child\nwait\n")
	s := newScripts(t, ScriptOptions{}, cfgScript("s", []string{p}, 5*time.Second, 300*time.Millisecond))
	start := time.Now()
	r := startScripts(t, s)
	child := readPid(t, dir+"/child", 5*time.Second)
	if !alive(child) {
		t.Fatal("the script's child is not running")
	}
	u := r.next(5 * time.Second)
	if u.Log != "VRRP_Script(s) timed_out" || u.OK {
		t.Fatalf("update %+v, want timed_out", u)
	}
	if el := time.Since(start); el < 300*time.Millisecond || el > 2*time.Second {
		t.Fatalf("timed out after %v, want about 300ms", el)
	}
	waitGone(t, child, 2*time.Second)
	for pid, st := range children(t) {
		t.Errorf("child %d left behind in state %c", pid, st)
	}
}

func TestScriptIgnoringTermIsKilled(t *testing.T) {
	dir := t.TempDir()
	// An ignored signal stays ignored across exec: the sleeper ignores TERM too.
	p := writeScript(t, dir, "stubborn", "#!/bin/sh\ntrap '' TERM\nsleep 1000 &\necho $! > "+dir+"/child\nwait\nwait\nsleep 1000\n")
	s := newScripts(t, ScriptOptions{KillGrace: 300 * time.Millisecond}, cfgScript("s", []string{p}, 10*time.Second, 200*time.Millisecond))
	start := time.Now()
	r := startScripts(t, s)
	child := readPid(t, dir+"/child", 5*time.Second)
	u := r.next(5 * time.Second)
	el := time.Since(start)
	if u.Log != "VRRP_Script(s) timed_out" {
		t.Fatalf("update %+v, want timed_out", u)
	}
	// timeout (200ms) + grace (300ms) before SIGKILL.
	if el < 500*time.Millisecond || el > 5*time.Second {
		t.Fatalf("killed after %v, want timeout+grace = 500ms", el)
	}
	waitGone(t, child, 2*time.Second)
	if c := children(t); len(c) != 0 {
		t.Fatalf("children left: %v", c)
	}
}

func TestScriptRunStopKillsAndReaps(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "long", "#!/bin/sh\nsleep 1000 &\necho $! > "+dir+"/child\nwait\n")
	s := newScripts(t, ScriptOptions{}, cfgScript("s", []string{p}, 10*time.Second, 0))
	r := startScripts(t, s)
	child := readPid(t, dir+"/child", 5*time.Second)
	start := time.Now()
	r.stop()
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("Run took %v to return", el)
	}
	waitGone(t, child, 2*time.Second)
	if c := children(t); len(c) != 0 {
		t.Fatalf("children left after Run returned: %v", c)
	}
}

func TestScriptsLeaveNoZombies(t *testing.T) {
	dir := t.TempDir()
	ok := writeScript(t, dir, "ok", "#!/bin/sh\nexit 0\n")
	bad := writeScript(t, dir, "bad", "#!/bin/sh\nexit 1\n")
	s := newScripts(t, ScriptOptions{},
		cfgScript("a", []string{ok}, 20*time.Millisecond, 0),
		cfgScript("b", []string{bad}, 20*time.Millisecond, 0),
		cfgScript("c", []string{"/bin/sh", "-c", "sleep 0.01 & exit 0"}, 20*time.Millisecond, 0))
	r := startScripts(t, s)
	zombies := 0
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		// Drain updates; sample our children while the scripts churn.
		select {
		case <-r.ch:
		default:
		}
		for _, st := range children(t) {
			if st == 'Z' {
				zombies++
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.stop()
	// A child between exit and its reap is briefly a zombie; none may stay.
	time.Sleep(50 * time.Millisecond)
	if c := children(t); len(c) != 0 {
		t.Fatalf("children left: %v (zombie samples during the run: %d)", c, zombies)
	}
}

func TestScriptStatesCarryAndInitFail(t *testing.T) {
	dir := t.TempDir()
	bad := writeScript(t, dir, "bad", "#!/bin/sh\nexit 1\n")
	ok := writeScript(t, dir, "ok", "#!/bin/sh\nexit 0\n")

	initFail := cfgScript("f", []string{bad}, time.Second, 0)
	initFail.InitFail = true
	s := newScripts(t, ScriptOptions{}, initFail, cfgScript("g", []string{ok}, time.Second, 0))
	if st := s.States(); len(st) != 1 || st["f"] != false {
		t.Fatalf("States before Run = %v, want only f=false (init_fail)", st)
	}
	r := startScripts(t, s)
	// The initial state of f, then g's first result; f's first failure is silent.
	got := map[string]Update{}
	for i := 0; i < 3; i++ {
		u := r.next(5 * time.Second)
		if u.Changed {
			got[u.Name] = u
		}
	}
	if u := got["f"]; u.OK || u.Log != "" {
		t.Fatalf("f initial update %+v, want failed and silent", u)
	}
	if u := got["g"]; !u.OK || u.Log != "VRRP_Script(g) succeeded" {
		t.Fatalf("g update %+v", u)
	}
	r.stop()

	// Reload: a new set carries the old states by name.
	s2 := newScripts(t, ScriptOptions{}, cfgScript("g", []string{ok}, time.Second, 0), cfgScript("h", []string{ok}, time.Second, 0))
	s2.CarryFrom(s)
	if st := s2.States(); len(st) != 1 || st["g"] != true {
		t.Fatalf("carried States = %v, want g=true only", st)
	}
	s3 := newScripts(t, ScriptOptions{}, cfgScript("g", []string{ok}, time.Second, 0))
	s3.Carry(map[string]bool{"g": false, "gone": true})
	if st := s3.States(); len(st) != 1 || st["g"] != false {
		t.Fatalf("Carry States = %v, want g=false", st)
	}
	r3 := startScripts(t, s3)
	// Carried state first, then the first run brings it up (rise 1).
	if u := r3.next(5 * time.Second); u.OK || !u.Changed {
		t.Fatalf("initial carried update %+v", u)
	}
	var last Update
	for last.Log == "" || strings.HasPrefix(last.Log, "Script `") {
		last = r3.next(5 * time.Second)
	}
	if last.Log != "VRRP_Script(g) succeeded" || !last.OK {
		t.Fatalf("after carry: %+v", last)
	}
}

func TestScriptCadenceNotShiftedBySlowScript(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "slow", "#!/bin/sh\ndate +%s.%N >> "+dir+"/runs\nsleep 0.5\n")
	const interval = time.Second
	s := newScripts(t, ScriptOptions{}, cfgScript("s", []string{p}, interval, 0))
	r := startScripts(t, s)
	go func() {
		for range r.ch {
		}
	}()
	time.Sleep(2300 * time.Millisecond)
	r.stop()
	b, _ := os.ReadFile(dir + "/runs")
	var starts []float64
	for _, f := range strings.Fields(string(b)) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatal(err)
		}
		starts = append(starts, v)
	}
	if len(starts) < 2 {
		t.Fatalf("%d runs in 2.3 s at a 1 s interval: %v", len(starts), starts)
	}
	// Every run starts on the interval grid (0, 1000, 2000 ms after the
	// first), however long the previous run took. Re-arming after the run
	// would start the second at 1500 ms, half an interval off. The 300 ms
	// margin absorbs process start-up on a loaded machine.
	for i, st := range starts[1:] {
		off := time.Duration((st - starts[0]) * float64(time.Second))
		k := (off + interval/2) / interval
		if d := off - k*interval; d > 300*time.Millisecond || d < -300*time.Millisecond {
			t.Fatalf("run %d started %v after the first, %v off the %v grid: %v", i+1, off, d, interval, starts)
		}
	}
}

func TestScriptUserGroup(t *testing.T) {
	testenv.NeedRoot(t) // to switch users
	nobody, err := LookupIdentity("nobody", "")
	if err != nil {
		t.Skip("no user nobody")
	}
	dir := t.TempDir()
	// Let nobody reach and write into the directory.
	for d := dir; d != "/tmp" && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(out, 0o777)
	p := writeScript(t, dir, "who", "#!/bin/sh\necho $(id -u) $(id -g) $(id -G) > "+out+"/$(id -un)-$1\n")

	tests := []struct {
		name        string
		user, group string
		opts        ScriptOptions
		want        string
	}{
		{"script user", "nobody", "", ScriptOptions{}, fmt.Sprintf("%d %d %d", nobody.UID, nobody.GID, nobody.GID)},
		{"script user and group", "nobody", "daemon", ScriptOptions{}, fmt.Sprintf("%d 1 1", nobody.UID)},
		{"default script_user", "", "", ScriptOptions{DefaultUser: "nobody"}, fmt.Sprintf("%d %d %d", nobody.UID, nobody.GID, nobody.GID)},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := cfgScript("s", []string{p, strconv.Itoa(i)}, time.Second, 0)
			sc.User, sc.Group = tc.user, tc.group
			s := newScripts(t, tc.opts, sc)
			r := startScripts(t, s)
			if u := r.next(5 * time.Second); u.Log != "VRRP_Script(s) succeeded" {
				t.Fatalf("update %+v", u)
			}
			b, err := os.ReadFile(fmt.Sprintf("%s/nobody-%d", out, i))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(b)); got != tc.want {
				t.Fatalf("uid gid groups = %q, want %q", got, tc.want)
			}
		})
	}

	// A script nobody cannot execute is dropped.
	priv := filepath.Join(dir, "private")
	os.Mkdir(priv, 0o700)
	hidden := writeScript(t, priv, "x", "#!/bin/sh\n")
	os.Chmod(hidden, 0o700)
	sc := cfgScript("s", []string{hidden}, time.Second, 0)
	sc.User = "nobody"
	s, _ := NewScripts([]*config.Script{sc}, ScriptOptions{})
	if len(s.Names()) != 0 {
		t.Fatal("a script nobody cannot execute was kept")
	}

	// A script in a directory nobody cannot search is dropped too.
	inPriv := writeScript(t, priv, "y", "#!/bin/sh\n")
	sc = cfgScript("s", []string{inPriv}, time.Second, 0)
	sc.User = "nobody"
	if s, _ := NewScripts([]*config.Script{sc}, ScriptOptions{}); len(s.Names()) != 0 {
		t.Fatal("a script in a directory nobody cannot search was kept")
	}

	// Unknown user: dropped with keepalived's finding.
	sc = cfgScript("s", []string{p}, time.Second, 0)
	sc.User = "no-such-user-kgc"
	s, ds := NewScripts([]*config.Script{sc}, ScriptOptions{})
	if len(s.Names()) != 0 || len(ds) != 1 || !strings.HasPrefix(ds[0].Msg, "Unable to set uid/gid for script") || ds[0].Class != config.ClassGeneral {
		t.Fatalf("unknown user: kept %v, findings %v", s.Names(), ds)
	}
}

func TestScriptStillRunningIsSkipped(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "slow", "#!/bin/sh\ncd "+dir+"\n[ -e running ] && echo overlap >> runs\ntouch running\necho x >> runs\nsleep 0.25\nrm running\n")
	var logs testenv.Buffer
	s := newScripts(t, ScriptOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))},
		cfgScript("s", []string{p}, 100*time.Millisecond, time.Second))
	r := startScripts(t, s)
	go func() {
		for range r.ch {
		}
	}()
	time.Sleep(620 * time.Millisecond)
	r.stop()
	b, _ := os.ReadFile(dir + "/runs")
	// Runs start at 0, ~300 and ~600 ms (each waits for the next tick after
	// the 250 ms run, slower on a loaded machine); never two at once.
	if strings.Contains(string(b), "overlap") {
		t.Fatalf("two runs overlapped: %q", b)
	}
	if n := strings.Count(string(b), "x"); n < 1 || n > 3 {
		t.Fatalf("%d runs in 620 ms of a 250 ms script at a 100 ms interval", n)
	}
	if !strings.Contains(logs.String(), "Track script s is already running, expect idle - skipping run") {
		t.Fatalf("no skip line in %q", logs.String())
	}
}
