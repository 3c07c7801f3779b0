package notify

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/internal/testenv"
)

func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func cmd(argv ...string) *config.Command { return &config.Command{Argv: argv} }

// childCount counts our direct children in /proc.
func childCount(t *testing.T) int {
	t.Helper()
	me := strconv.Itoa(os.Getpid())
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == me {
			n++
		}
	}
	return n
}

func waitFile(t *testing.T, path string, lines int, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		b, _ := os.ReadFile(path)
		got := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(b) > 0 && len(got) >= lines {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has %q, want %d lines", path, b, lines)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func closeNotifier(t *testing.T, n *Notifier) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestInstanceArguments(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	rec := writeScript(t, dir, "rec", `echo "$0 $*" >> `+log+"\n")
	in := &config.Instance{Name: "VI_1", Notify: config.Notify{
		Master:  cmd(rec, "master-arg"),
		Backup:  cmd(rec),
		Generic: cmd(rec, "gen"),
	}}
	sg := &config.SyncGroup{Name: "G1", Notify: config.Notify{Master: cmd(rec, "group-master"), Generic: cmd(rec, "ggen")}}
	n, err := New(config.Global{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Instance(in, "MASTER", 100)
	n.Instance(in, "BACKUP", 90)
	n.Instance(in, "FAULT", 90) // no notify_fault: only the generic script
	n.Group(sg, "MASTER")
	closeNotifier(t, n)
	got := waitFile(t, log, 7, 5*time.Second)
	// Instance lines are in transition order; the group's queue is separate.
	var inst, grp []string
	for _, l := range got {
		if strings.Contains(l, "G1") || strings.Contains(l, "group") {
			grp = append(grp, l)
		} else {
			inst = append(inst, l)
		}
	}
	// Transitions are serialised; within one, the state script and the
	// generic script are started in that order but run side by side, so
	// their lines may come in either order.
	want := [][]string{
		{rec + " master-arg", rec + " gen INSTANCE VI_1 MASTER 100"},
		{rec + " ", rec + " gen INSTANCE VI_1 BACKUP 90"},
		{rec + " gen INSTANCE VI_1 FAULT 90"},
	}
	i := 0
	for _, group := range want {
		if i+len(group) > len(inst) {
			t.Fatalf("instance scripts ran as %q, want %q", inst, want)
		}
		got := append([]string(nil), inst[i:i+len(group)]...)
		sort.Strings(got)
		w := append([]string(nil), group...)
		sort.Strings(w)
		if strings.Join(got, "\n") != strings.Join(w, "\n") {
			t.Fatalf("instance scripts ran as\n%s\nwant, transition by transition,\n%q", strings.Join(inst, "\n"), want)
		}
		i += len(group)
	}
	if i != len(inst) {
		t.Fatalf("extra script runs %q", inst[i:])
	}
	wantG := []string{rec + " ggen GROUP G1 MASTER 0", rec + " group-master"}
	sort.Strings(grp)
	if strings.Join(grp, "\n") != strings.Join(wantG, "\n") {
		t.Fatalf("group scripts ran as %q, want %q", grp, wantG)
	}
}

func TestFifoLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notify.fifo")
	n, err := New(config.Global{NotifyFifo: &config.Fifo{Path: path}, VRRPNotifyFifo: &config.Fifo{Path: path}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 || st.Mode().Perm() != 0o644 {
		t.Fatalf("fifo %v mode %v", err, st.Mode())
	}
	r, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	in := &config.Instance{Name: "VI_1", NotifyPrioChanges: true}
	quiet := &config.Instance{Name: "VI_2"}
	n.Instance(in, "MASTER", 100)
	n.RxLowerPri(in, 100)
	n.PriorityChange(in, "MASTER", 95)
	n.PriorityChange(quiet, "MASTER", 95) // no notify_priority_changes: nothing
	n.PriorityChange(in, "BACKUP", 90)
	n.Instance(in, "BACKUP", 90)
	n.Instance(in, "DELETED", 90) // without notify_deleted: FAULT
	n.Instance(&config.Instance{Name: "VI_3", Notify: config.Notify{DeletedSet: true}}, "DELETED", 80)
	n.Instance(in, "STOP", 90)
	sc := bufio.NewScanner(r)
	var got []string
	for len(got) < 8 && sc.Scan() {
		got = append(got, sc.Text())
	}
	// VI_3 has its own queue: pick its line out.
	var vi1 []string
	sawVI3 := false
	for _, l := range got {
		if l == `INSTANCE "VI_3" DELETED 80` {
			sawVI3 = true
			continue
		}
		vi1 = append(vi1, l)
	}
	want := []string{
		`INSTANCE "VI_1" MASTER 100`,
		`INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100`,
		`INSTANCE "VI_1" MASTER_PRIORITY 95`,
		`INSTANCE "VI_1" BACKUP_PRIORITY 90`,
		`INSTANCE "VI_1" BACKUP 90`,
		`INSTANCE "VI_1" FAULT 90`,
		`INSTANCE "VI_1" STOP 90`,
	}
	if !sawVI3 || strings.Join(vi1, "\n") != strings.Join(want, "\n") {
		t.Fatalf("fifo lines\n%s\nwant\n%s\nand VI_3 DELETED (seen %v)", strings.Join(got, "\n"), strings.Join(want, "\n"), sawVI3)
	}
	n.Group(&config.SyncGroup{Name: "G1"}, "BACKUP")
	if !sc.Scan() || sc.Text() != `GROUP "G1" BACKUP 0` {
		t.Fatalf("group line %q", sc.Text())
	}
	// fifo_write_vrrp_states_on_reload: lines alone, no scripts.
	n.GroupFifo(&config.SyncGroup{Name: "G1"}, "BACKUP")
	if !sc.Scan() || sc.Text() != `GROUP "G1" BACKUP 0` {
		t.Fatalf("group fifo line %q", sc.Text())
	}
	n.InstanceFifo(&config.Instance{Name: "VI_1", Notify: config.Notify{Master: cmd("/bin/false")}}, "MASTER", 77)
	if !sc.Scan() || sc.Text() != `INSTANCE "VI_1" MASTER 77` {
		t.Fatalf("instance fifo line %q", sc.Text())
	}
	closeNotifier(t, n)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the fifo we created is still there after Close: %v", err)
	}
}

func TestFifoPreExistingKeptAndScriptGetsPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	// The fifo script receives the fifo path last and copies what it reads;
	// it writes out.sig when SIGTERM reaches it (without the signal it
	// would end anyway, when Close closes the fifo and cat reads EOF).
	script := writeScript(t, dir, "reader", `echo "arg=$1 $2" > `+out+".args\n"+
		"trap 'echo TERM > "+out+".sig; exit 0' TERM\n"+
		`cat "$2" >> `+out+" &\nwait\n")
	n, err := New(config.Global{NotifyFifo: &config.Fifo{Path: path, Script: cmd(script, "first")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := waitFile(t, out+".args", 1, 5*time.Second); got[0] != "arg=first "+path {
		t.Fatalf("fifo script args %q", got)
	}
	n.Instance(&config.Instance{Name: "VI_1"}, "BACKUP", 100)
	if got := waitFile(t, out, 1, 5*time.Second); got[0] != `INSTANCE "VI_1" BACKUP 100` {
		t.Fatalf("fifo script read %q", got)
	}
	closeNotifier(t, n)
	if b, err := os.ReadFile(out + ".sig"); err != nil || string(b) != "TERM\n" {
		t.Fatalf("the fifo script was not stopped by SIGTERM: %q, %v", b, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("a pre-existing fifo was removed: %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	if c := childCount(t); c != 0 {
		t.Fatalf("%d children left after Close", c)
	}
}

// TestOrderingUnderBurst fires a burst of transitions at scripts of random
// duration and checks that each transition's scripts start only after the
// previous transition's scripts have finished, in the order of the calls,
// and that the FIFO lines come in the same order.
func TestOrderingUnderBurst(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	// Durations vary with the argument so later scripts would finish first
	// if they were allowed to overtake. No script starts before the test
	// creates the gate file, so a caller blocked by a script never returns.
	gate := filepath.Join(dir, "gate")
	rec := writeScript(t, dir, "rec", `while [ ! -e `+gate+` ]; do sleep 0.01; done
echo "start $1 $5" >> `+log+`
case "$1" in MASTER) sleep 0.05;; BACKUP) sleep 0.01;; esac
echo "end $1 $5" >> `+log+"\n")
	fifo := filepath.Join(dir, "fifo")
	in := &config.Instance{Name: "VI_1", Notify: config.Notify{
		Master: cmd(rec, "MASTER"), Backup: cmd(rec, "BACKUP"), Fault: cmd(rec, "FAULT"),
		Generic: cmd(rec, "GENERIC"),
	}}
	n, err := New(config.Global{VRRPNotifyFifo: &config.Fifo{Path: fifo}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	states := []string{"BACKUP", "MASTER", "BACKUP", "FAULT", "BACKUP", "MASTER", "FAULT", "MASTER", "BACKUP", "MASTER"}
	queued := make(chan struct{})
	go func() {
		for i, s := range states {
			n.Instance(in, s, 100+i)
		}
		close(queued)
	}()
	select {
	case <-queued:
	case <-time.After(10 * time.Second):
		t.Fatalf("queueing %d transitions did not return while their scripts wait: the caller is blocked", len(states))
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(r)
	for i, s := range states {
		if !sc.Scan() || sc.Text() != fmt.Sprintf(`INSTANCE "VI_1" %s %d`, s, 100+i) {
			t.Fatalf("fifo line %d = %q, want %s %d", i, sc.Text(), s, 100+i)
		}
	}
	closeNotifier(t, n)
	lines := waitFile(t, log, 4*len(states), 5*time.Second)
	// Transition i runs the state script states[i] and the generic script
	// with priority 100+i; all four of their lines (two starts, two ends)
	// must come before any line of transition i+1.
	pos := 0
	for i, st := range states {
		want := map[string]bool{
			"start " + st: true, "end " + st: true,
			fmt.Sprintf("start GENERIC %d", 100+i): true, fmt.Sprintf("end GENERIC %d", 100+i): true,
		}
		for len(want) > 0 {
			if pos >= len(lines) {
				t.Fatalf("transition %d incomplete, missing %v:\n%s", i, want, strings.Join(lines, "\n"))
			}
			l := strings.TrimSpace(lines[pos])
			if !want[l] {
				t.Fatalf("line %d %q while transition %d (%s) still has %v:\n%s", pos, l, i, st, want, strings.Join(lines, "\n"))
			}
			delete(want, l)
			pos++
		}
	}
	if pos != len(lines) {
		t.Fatalf("extra lines %q", lines[pos:])
	}
	if c := childCount(t); c != 0 {
		t.Fatalf("%d children left", c)
	}
}

func TestStopScriptsGetOneSecond(t *testing.T) {
	dir := t.TempDir()
	pidf := filepath.Join(dir, "pid")
	stop := writeScript(t, dir, "stop", "echo $$ > "+pidf+"\nsleep 100\n")
	n, err := New(config.Global{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Instance(&config.Instance{Name: "VI_1", Notify: config.Notify{Stop: cmd(stop)}}, "STOP", 100)
	start := time.Now()
	closeNotifier(t, n)
	el := time.Since(start)
	if el < 900*time.Millisecond || el > 3*time.Second {
		t.Fatalf("Close returned after %v, want about 1 s", el)
	}
	b, _ := os.ReadFile(pidf)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid == 0 {
		t.Fatal("stop script did not run")
	}
	time.Sleep(50 * time.Millisecond)
	if err := syscall.Kill(pid, 0); err == nil {
		if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !strings.Contains(string(st), ") Z") {
			t.Fatalf("stop script %d still alive after Close", pid)
		}
	}
}

func TestSlowScriptBoundedByScriptWait(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	pids := filepath.Join(dir, "pids")
	slow := writeScript(t, dir, "slow", "echo $$ >> "+pids+"\necho $1 >> "+log+"\nsleep 5\n")
	n, err := New(config.Global{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.ScriptWait = 200 * time.Millisecond
	in := &config.Instance{Name: "VI_1", Notify: config.Notify{Backup: cmd(slow, "b"), Master: cmd(slow, "m")}}
	n.Instance(in, "BACKUP", 100)
	n.Instance(in, "MASTER", 100)
	got := waitFile(t, log, 2, 2*time.Second)
	if got[0] != "b" || got[1] != "m" {
		t.Fatalf("order %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = n.Close(ctx)
	// Notify scripts are not killed when no longer waited for (nor by
	// keepalived); end them here, and check that they get reaped.
	for _, p := range waitFile(t, pids, 2, time.Second) {
		pid, _ := strconv.Atoi(p)
		syscall.Kill(-pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(2 * time.Second)
	for childCount(t) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d children not reaped", childCount(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNotifyUsersAndSecurity(t *testing.T) {
	testenv.NeedRoot(t)
	base := t.TempDir()
	for d := base; d != "/tmp" && d != "/"; d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	out := filepath.Join(base, "out")
	os.Mkdir(out, 0o777)
	os.Chmod(out, 0o777)
	who := writeScript(t, base, "who", "id -un > "+out+"/$1\n")
	open := filepath.Join(base, "open")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777) // world-writable, no sticky bit: unsafe for root scripts
	unsafe := writeScript(t, open, "unsafe", "touch "+out+"/$1\n")

	tests := []struct {
		name    string
		global  config.Global
		cmd     *config.Command
		file    string
		want    string // content of out/file; "" = must not exist
		wantRan bool
	}{
		{"own user", config.Global{}, &config.Command{Argv: []string{who, "a"}, User: "nobody"}, "a", "nobody\n", true},
		{"script_user default", config.Global{ScriptUser: "nobody"}, &config.Command{Argv: []string{who, "b"}}, "b", "nobody\n", true},
		{"root by default", config.Global{}, &config.Command{Argv: []string{who, "c"}}, "c", "root\n", true},
		{"unknown user: not run", config.Global{}, &config.Command{Argv: []string{who, "d"}, User: "no-such-user-kgc"}, "d", "", false},
		{"unsafe path as root without security: runs", config.Global{}, &config.Command{Argv: []string{unsafe, "e"}}, "e", "", true},
		{"unsafe path as root with security: not run", config.Global{EnableScriptSecurity: true, ScriptUser: "root"}, &config.Command{Argv: []string{unsafe, "f"}}, "f", "", false},
		{"unsafe path as nobody with security: runs", config.Global{EnableScriptSecurity: true, ScriptUser: "nobody"}, &config.Command{Argv: []string{unsafe, "g"}}, "g", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := New(tc.global, nil)
			if err != nil {
				t.Fatal(err)
			}
			n.Instance(&config.Instance{Name: "VI_1", Notify: config.Notify{Master: tc.cmd}}, "MASTER", 100)
			closeNotifier(t, n)
			b, err := os.ReadFile(filepath.Join(out, tc.file))
			if ran := err == nil; ran != tc.wantRan {
				t.Fatalf("ran=%v, want %v", ran, tc.wantRan)
			}
			if tc.want != "" && string(b) != tc.want {
				t.Fatalf("ran as %q, want %q", b, tc.want)
			}
		})
	}
}

func TestFifoOwner(t *testing.T) {
	testenv.NeedRoot(t)
	path := filepath.Join(t.TempDir(), "fifo")
	n, err := New(config.Global{NotifyFifo: &config.Fifo{Path: path, User: "nobody"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeNotifier(t, n)
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 65534 {
		t.Fatalf("fifo owned by %d, want nobody", st.Uid)
	}
}
