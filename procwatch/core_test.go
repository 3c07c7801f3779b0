package procwatch

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keepalived-go/keepalived/config"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// block is a vrrp_track_process with keepalived's defaults and changes.
func block(name, process string, opts ...func(*config.TrackProcess)) *config.TrackProcess {
	b := config.DefaultTrackProcess(name)
	b.Process = process
	for _, o := range opts {
		o(b)
	}
	return b
}

func cmd(args ...string) []byte {
	var b []byte
	for _, a := range args {
		b = append(append(b, a...), 0)
	}
	return b
}

func lost(name string) Change {
	return Change{Name: name, Up: false, Log: "Quorum lost for tracked process " + name}
}
func gained(name string) Change {
	return Change{Name: name, Up: true, Log: "Quorum gained for tracked process " + name}
}

func check(t *testing.T, what string, want, got []Change) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

func TestInitCountsMatchingProcesses(t *testing.T) {
	c := NewCore([]*config.TrackProcess{
		block("nginx", "nginx"),
		block("two", "nginx", func(b *config.TrackProcess) { b.Quorum = 2 }),
		block("gone", "haproxy"),
	})
	got := c.Init(map[int]Proc{
		10: {Comm: "nginx", Cmdline: cmd("nginx: master process /usr/sbin/nginx")},
		11: {Comm: "nginx", Cmdline: cmd("nginx: worker process")},
		12: {Comm: "nginx", Zombie: true}, // not counted
		13: {Comm: "bash"},
	})
	check(t, "init", []Change{{Name: "nginx", Up: true}, {Name: "two", Up: true}, {Name: "gone", Up: false}}, got)
	st := c.Status()
	if st[0].Current != 2 || st[2].Current != 0 {
		t.Errorf("counts %d, %d; want 2, 0", st[0].Current, st[2].Current)
	}
}

func TestExitLosesQuorumAtOnceWithoutDelay(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("nginx", "nginx")})
	c.Init(map[int]Proc{10: {Comm: "nginx"}, 11: {Comm: "nginx"}})
	check(t, "first exit (one left)", nil, c.Exit(t0, 11))
	check(t, "untracked exit", nil, c.Exit(t0, 99))
	check(t, "last exit", []Change{lost("nginx")}, c.Exit(t0, 10))
	if _, ok := c.NextDeadline(); ok {
		t.Errorf("a deadline without terminate_delay")
	}
}

func TestTerminateDelayAndForkBack(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("nginx", "nginx", func(b *config.TrackProcess) { b.TerminateDelay = 2 * time.Second })})
	c.Init(map[int]Proc{10: {Comm: "nginx"}, 1: {Comm: "systemd"}})
	check(t, "exit with terminate_delay", nil, c.Exit(t0, 10))
	if at, ok := c.NextDeadline(); !ok || !at.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("deadline %v %v; want t0+2s", at, ok)
	}
	check(t, "before the delay", nil, c.Advance(t0.Add(1999*time.Millisecond)))
	check(t, "at the delay", []Change{lost("nginx")}, c.Advance(t0.Add(2*time.Second)))

	// A process restarted within the delay cancels the loss: exec of
	// nginx by a shell forked from pid 1 (untracked).
	c.Init(map[int]Proc{10: {Comm: "nginx"}})
	check(t, "exit", nil, c.Exit(t0, 10))
	check(t, "fork of an untracked parent", nil, c.Fork(t0, 1, 20))
	check(t, "exec into nginx within the delay", nil, c.Exec(20, Proc{Comm: "nginx"}, true))
	if _, ok := c.NextDeadline(); ok {
		t.Errorf("terminate delay still pending after the restart")
	}
	check(t, "after the delay", nil, c.Advance(t0.Add(5*time.Second)))
}

func TestForkDelay(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("w", "nginx", func(b *config.TrackProcess) { b.Quorum = 2; b.ForkDelay = time.Second })})
	check(t, "init", []Change{{Name: "w", Up: false}}, c.Init(map[int]Proc{10: {Comm: "nginx"}}))
	check(t, "fork reaching the quorum", nil, c.Fork(t0, 10, 11))
	check(t, "fork delay expired", []Change{gained("w")}, c.Advance(t0.Add(time.Second)))
	// A child that exits within the fork delay cancels the gain, silently.
	check(t, "exit", []Change{lost("w")}, c.Exit(t0, 11))
	check(t, "fork again", nil, c.Fork(t0, 10, 12))
	check(t, "child exits within the delay", nil, c.Exit(t0, 12))
	check(t, "delay time passes", nil, c.Advance(t0.Add(3*time.Second)))
}

func TestDelaysFromTheModel(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("d", "nginx", func(b *config.TrackProcess) { b.TerminateDelay = 3 * time.Second; b.ForkDelay = time.Second })})
	st := c.Status()[0]
	if st.ForkDelay != time.Second || st.TermDelay != 3*time.Second || st.QuorumMax != -1 {
		t.Errorf("fork %v terminate %v quorum_max %d; want 1s, 3s and -1 (unlimited)", st.ForkDelay, st.TermDelay, st.QuorumMax)
	}
}

// TestQuorumMaxZero: quorum_max 0 (which sets quorum 0, as keepalived
// 2.2.7's parser does) is up while no matching process runs: up at start
// without one, down when one starts (fork or exec), up again when the
// last one exits; fork_delay and terminate_delay apply to those edges as
// to any other.
func TestQuorumMaxZero(t *testing.T) {
	zero := func(b *config.TrackProcess) { b.Quorum = 0; b.QuorumMax = new(int) }
	c := NewCore([]*config.TrackProcess{block("none", "nginx", zero)})
	check(t, "init without nginx", []Change{{Name: "none", Up: true}}, c.Init(map[int]Proc{1: {Comm: "init"}}))
	if st := c.Status()[0]; st.QuorumMax != 0 || st.Quorum != 0 || !st.HaveQuorum {
		t.Errorf("status %+v; want quorum 0, quorum_max 0, have quorum", st)
	}
	check(t, "nginx execs", []Change{lost("none")}, c.Exec(10, Proc{Comm: "nginx"}, true))
	check(t, "it forks: still too many", nil, c.Fork(t0, 10, 11))
	check(t, "one exits", nil, c.Exit(t0, 11))
	check(t, "the last one exits", []Change{gained("none")}, c.Exit(t0, 10))

	c = NewCore([]*config.TrackProcess{block("none", "nginx", zero)})
	check(t, "init with nginx", []Change{{Name: "none", Up: false}}, c.Init(map[int]Proc{10: {Comm: "nginx"}}))
	check(t, "nginx exits", []Change{gained("none")}, c.Exit(t0, 10))

	// The exit that brings the count to 0 waits terminate_delay (its
	// timer then finds the block in quorum), as in keepalived.
	c = NewCore([]*config.TrackProcess{block("none", "nginx", func(b *config.TrackProcess) {
		zero(b)
		b.ForkDelay, b.TerminateDelay = time.Second, 2*time.Second
	})})
	check(t, "init with nginx (delays)", []Change{{Name: "none", Up: false}}, c.Init(map[int]Proc{10: {Comm: "nginx"}}))
	check(t, "nginx exits: terminate_delay runs", nil, c.Exit(t0, 10))
	check(t, "terminate_delay not yet over", nil, c.Advance(t0.Add(time.Second)))
	check(t, "terminate_delay over", []Change{gained("none")}, c.Advance(t0.Add(2*time.Second)))
}

func TestQuorumMax(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("one", "worker", func(b *config.TrackProcess) { one := 1; b.QuorumMax = &one })})
	check(t, "init", []Change{{Name: "one", Up: true}}, c.Init(map[int]Proc{10: {Comm: "worker"}}))
	check(t, "a second process is one too many", []Change{lost("one")}, c.Fork(t0, 10, 11))
	check(t, "back to one", []Change{gained("one")}, c.Exit(t0, 11))
	check(t, "none", []Change{lost("one")}, c.Exit(t0, 10))
}

func TestFullCommandAndParams(t *testing.T) {
	blocks := []*config.TrackProcess{
		block("name", "/usr/sbin/nginx", func(b *config.TrackProcess) { b.FullCommand = true }),
		block("exact", "/usr/bin/python3", func(b *config.TrackProcess) { b.Args = []string{"app.py", "-v"} }),
		block("partial", "/usr/bin/python3", func(b *config.TrackProcess) { b.Args = []string{"app.py"}; b.ParamMatch = "partial" }),
		block("initial", "/usr/bin/python3", func(b *config.TrackProcess) { b.Args = []string{"app.py", "--po"}; b.ParamMatch = "initial" }),
		block("comm", "python3"),
	}
	cases := []struct {
		name    string
		p       Proc
		counted []string
	}{
		{"nginx by its path, arguments ignored", Proc{Comm: "nginx", Cmdline: cmd("/usr/sbin/nginx", "-g", "daemon off;")}, []string{"name"}},
		{"exact arguments", Proc{Comm: "python3", Cmdline: cmd("/usr/bin/python3", "app.py", "-v")}, []string{"exact", "partial", "comm"}},
		{"an argument more: partial only", Proc{Comm: "python3", Cmdline: cmd("/usr/bin/python3", "app.py", "-v", "-x")}, []string{"partial", "comm"}},
		{"initial: last argument a prefix", Proc{Comm: "python3", Cmdline: cmd("/usr/bin/python3", "app.py", "--port=80")}, []string{"partial", "initial", "comm"}},
		{"partial needs whole arguments", Proc{Comm: "python3", Cmdline: cmd("/usr/bin/python3", "app.pyc")}, []string{"comm"}},
		{"no command line (kernel thread)", Proc{Comm: "python3"}, []string{"comm"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCore(blocks)
			c.Init(map[int]Proc{5: tc.p})
			var counted []string
			for _, s := range c.Status() {
				if s.Current > 0 {
					counted = append(counted, s.Name)
				}
			}
			if d := cmp.Diff(tc.counted, counted); d != "" {
				t.Errorf("counted (-want +got):\n%s", d)
			}
		})
	}
	if comm, cmdline := NewCore(blocks).Needs(); !comm || !cmdline {
		t.Errorf("Needs() = %v, %v; want both", comm, cmdline)
	}
}

func TestExecIntoOtherProgramStopsCounting(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("sh", "sh")})
	c.Init(map[int]Proc{10: {Comm: "sh"}})
	check(t, "exec of sh into sleep", []Change{lost("sh")}, c.Exec(10, Proc{Comm: "sleep"}, true))
	check(t, "its exit is not counted again", nil, c.Exit(t0, 10))
	check(t, "an exec that cannot be read", nil, c.Exec(11, Proc{}, false))
}

func TestExecOfCountedProcessCountsTwice(t *testing.T) {
	// keepalived adds a process again when it execs into a matching
	// program (nginx's binary upgrade) and only its exit removes both.
	c := NewCore([]*config.TrackProcess{block("two", "nginx", func(b *config.TrackProcess) { b.Quorum = 2 })})
	c.Init(map[int]Proc{10: {Comm: "nginx"}})
	check(t, "re-exec", []Change{gained("two")}, c.Exec(10, Proc{Comm: "nginx"}, true))
	check(t, "exit", []Change{lost("two")}, c.Exit(t0, 10))
}

func TestCommChange(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("a", "alpha"), block("b", "beta")})
	c.Init(map[int]Proc{10: {Comm: "alpha"}})
	check(t, "rename alpha -> beta", []Change{lost("a"), gained("b")}, c.Comm(10, "beta"))
	check(t, "same name again", nil, c.Comm(10, "beta"))
	check(t, "untracked rename into alpha", []Change{gained("a")}, c.Comm(20, "alpha"))
	// The command line is not what a comm event changes.
	f := NewCore([]*config.TrackProcess{block("f", "/bin/app", func(b *config.TrackProcess) { b.FullCommand = true })})
	f.Init(map[int]Proc{10: {Comm: "app", Cmdline: cmd("/bin/app")}})
	check(t, "full_command block ignores comm", nil, f.Comm(10, "other"))
}

func TestRescanAfterOverrun(t *testing.T) {
	c := NewCore([]*config.TrackProcess{
		block("up", "nginx", func(b *config.TrackProcess) { b.ForkDelay = 5 * time.Second }),
		block("down", "haproxy", func(b *config.TrackProcess) { b.TerminateDelay = time.Second }),
		block("same", "sshd"),
	})
	c.Init(map[int]Proc{20: {Comm: "haproxy"}, 30: {Comm: "sshd"}})
	// Events were lost: nginx started, haproxy died, sshd forked.
	got := c.Rescan(t0, map[int]Proc{10: {Comm: "nginx"}, 30: {Comm: "sshd"}, 31: {Comm: "sshd"}})
	check(t, "rescan (gain at once, loss delayed)", []Change{gained("up")}, got)
	check(t, "terminate delay", []Change{lost("down")}, c.Advance(t0.Add(time.Second)))
	// A loss pending when the rescan comes is settled by the rescan.
	c.Exit(t0, 10)
	c.Rescan(t0, map[int]Proc{}) // "up" has no terminate delay
	if c.Status()[0].HaveQuorum {
		t.Errorf("nginx gone after the rescan but its block still has quorum")
	}
}

func TestEmptyCore(t *testing.T) {
	c := NewCore(nil)
	if !c.Empty() {
		t.Fatal("NewCore(nil) is not Empty")
	}
	check(t, "init", nil, c.Init(map[int]Proc{1: {Comm: "init"}}))
}

// TestParamMatchAloneIsExact: `param_match` without a word compares the
// arguments exactly; with no arguments given, the process must have none.
func TestParamMatchAloneIsExact(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("bare", "/usr/sbin/sshd", func(b *config.TrackProcess) { b.ParamMatch = "exact" })})
	c.Init(map[int]Proc{
		1: {Comm: "sshd", Cmdline: cmd("/usr/sbin/sshd")},
		2: {Comm: "sshd", Cmdline: cmd("/usr/sbin/sshd", "-D")},
	})
	if st := c.Status()[0]; st.Current != 1 || !st.Full || st.ParamMatch != "exact" {
		t.Errorf("status %+v; want 1 process counted, full command, exact", st)
	}
}
