package checker

import (
	"os/exec"
	"syscall"
	"testing"
)

// BenchmarkProgramStart is one script run: fork/exec of /bin/true in its own
// process group with Pdeathsig through the spawner thread, and its reap.
func BenchmarkProgramStart(b *testing.B) {
	p := &Program{Argv: []string{"/bin/true"}, Identity: ourIdentity()}
	for b.Loop() {
		proc, err := p.Start()
		if err != nil {
			b.Fatal(err)
		}
		<-proc.Done()
		if proc.Status().ExitStatus() != 0 {
			b.Fatal("true failed")
		}
	}
}

// BenchmarkExecCommandBaseline is the same run with a bare os/exec, for
// the cost of the spawner and the process attributes.
func BenchmarkExecCommandBaseline(b *testing.B) {
	for b.Loop() {
		if err := exec.Command("/bin/true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShellScript is a run through /bin/sh -c (a script without a
// shebang).
func BenchmarkShellScript(b *testing.B) {
	p := &Program{Argv: []string{"/bin/true"}, Shell: true, Identity: ourIdentity()}
	for b.Loop() {
		proc, err := p.Start()
		if err != nil {
			b.Fatal(err)
		}
		<-proc.Done()
	}
}

func BenchmarkHysteresisObserve(b *testing.B) {
	h := NewHysteresis(3, 3, false)
	i := 0
	for b.Loop() {
		h.Observe(i%7 < 4)
		i++
	}
}

// BenchmarkResolve is the load-time check of one script as root: PATH-free
// path, realpath, stat, and the root-ownership walk of every component.
func BenchmarkResolve(b *testing.B) {
	id := Identity{}
	for b.Loop() {
		c := resolve([]string{"/usr/bin/true"}, id, true)
		if c.prog == nil && syscall.Geteuid() == 0 {
			b.Fatal(c.logs)
		}
	}
}
