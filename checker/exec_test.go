package checker

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// TestHelperStartAndDie is not a test: run by TestScriptDiesWithDaemon as
// a stand-in daemon, it starts a script, prints its pid and exits.
func TestHelperStartAndDie(t *testing.T) {
	if os.Getenv("KGC_HELPER") != "1" {
		t.Skip("helper process only")
	}
	id := ourIdentity()
	if u := os.Getenv("KGC_HELPER_USER"); u != "" {
		var err error
		if id, err = LookupIdentity(u, ""); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
	}
	p, err := (&Program{Argv: []string{"/bin/sleep", "1000"}, Identity: id}).Start()
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println(p.Pid())
	os.Exit(0)
}

// TestScriptDiesWithDaemon checks the parent-death signal: a script whose
// daemon dies gets SIGTERM instead of running on, also when it runs as
// another user (a credential change clears the signal unless it is set
// after the switch).
func TestScriptDiesWithDaemon(t *testing.T) {
	users := []string{""}
	if testenv.RootTests() {
		users = append(users, "nobody")
	}
	for _, u := range users {
		t.Run("user="+u, func(t *testing.T) { dieWithDaemon(t, u) })
	}
}

func dieWithDaemon(t *testing.T, user string) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStartAndDie$")
	cmd.Env = append(os.Environ(), "KGC_HELPER=1", "KGC_HELPER_USER="+user)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	_ = cmd.Wait()
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	waitGone(t, pid, 3*time.Second)
}

// TestScriptSurvivesDyingThreads checks that a script is not killed by its
// parent-death signal when Go threads exit: goroutines that end while
// locked to their thread make the runtime end that thread, which would fire
// Pdeathsig on children forked from it.
func TestScriptSurvivesDyingThreads(t *testing.T) {
	var procs []*Process
	for i := 0; i < 5; i++ {
		p, err := (&Program{Argv: []string{"/bin/sleep", "1000"}, Identity: ourIdentity()}).Start()
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
		// End some threads between starts.
		var wg sync.WaitGroup
		for j := 0; j < 20; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			}()
		}
		wg.Wait()
	}
	time.Sleep(200 * time.Millisecond)
	for _, p := range procs {
		if !alive(p.Pid()) {
			t.Errorf("script %d died when Go threads exited", p.Pid())
		}
		_ = p.SignalGroup(9)
		<-p.Done()
	}
}
