package checker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

func TestWatchFiles(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, []byte("5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := filepath.Join(dir, "g")
	files := []*config.TrackFile{
		{Name: "tf", Path: f, Weight: 1},
		{Name: "tg", Path: g, Weight: 1},
		{Name: "th", Path: filepath.Join(dir, "nodir", "h"), Weight: 1},
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Update, 10)
	errc := make(chan error, 1)
	go func() { errc <- WatchFiles(ctx, files, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("WatchFiles: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("WatchFiles did not return after cancel")
		}
	})
	next := func() Update {
		t.Helper()
		select {
		case u := <-out:
			return u
		case <-time.After(5 * time.Second):
			t.Fatal("no update")
		}
		return Update{}
	}
	expect := func(want Update) {
		t.Helper()
		if got := next(); got != want {
			t.Fatalf("update %+v, want %+v", got, want)
		}
	}
	expect(Update{Kind: "file", Name: "tf", Value: 5, OK: true, Changed: true})
	expect(Update{Kind: "file", Name: "tg", Value: 0, OK: false, Changed: true})
	expect(Update{Kind: "file", Name: "th", Log: "Track file directory for th does not exist - removing"})

	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(f, "7\n")
	expect(Update{Kind: "file", Name: "tf", Value: 7, OK: true, Changed: true})
	write(f, "7\n") // same value: nothing
	write(g, "0x10")
	expect(Update{Kind: "file", Name: "tg", Value: 16, OK: true, Changed: true})

	// Replaced by rename, as editors and atomic writers do.
	tmp := filepath.Join(dir, ".f.tmp")
	write(tmp, "-3")
	if err := os.Rename(tmp, f); err != nil {
		t.Fatal(err)
	}
	expect(Update{Kind: "file", Name: "tf", Value: -3, OK: true, Changed: true})

	if err := os.Remove(f); err != nil {
		t.Fatal(err)
	}
	expect(Update{Kind: "file", Name: "tf", Value: 0, OK: false, Changed: true})

	write(g, "99999999999")
	if u := next(); u.Name != "tg" || u.Changed || u.Value != 16 || !strings.HasPrefix(u.Log, "Invalid number read from") {
		t.Fatalf("invalid number: %+v", u)
	}
	select {
	case u := <-out:
		t.Fatalf("unexpected update %+v", u)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestInitFiles(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "m")
	existing := filepath.Join(dir, "e")
	over := filepath.Join(dir, "o")
	os.WriteFile(existing, []byte("1\n"), 0o644)
	os.WriteFile(over, []byte("1\n"), 0o644)
	files := []*config.TrackFile{
		{Name: "m", Path: missing, InitFile: true, InitValue: -5},
		{Name: "e", Path: existing, InitFile: true, InitValue: 9},
		{Name: "o", Path: over, InitFile: true, InitValue: 9, Overwrite: true},
	}
	if err := InitFiles(files, true); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{missing: "-5\n", existing: "1\n", over: "1\n"} {
		if b, _ := os.ReadFile(p); string(b) != want {
			t.Errorf("after reload init %s = %q, want %q", filepath.Base(p), b, want)
		}
	}
	if err := InitFiles(files, false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(over); string(b) != "9\n" {
		t.Errorf("overwrite at start: %q", b)
	}
	if b, _ := os.ReadFile(existing); string(b) != "1\n" {
		t.Errorf("init_file without overwrite rewrote an existing file: %q", b)
	}
}

func TestTrackersRunScriptsAndFiles(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	cfg := &config.Config{
		Scripts:    []*config.Script{{Name: "s", Command: config.Command{Argv: []string{"/bin/true"}}, Interval: time.Second, Rise: 1, Fall: 1}},
		TrackFiles: []*config.TrackFile{{Name: "tf", Path: f, InitFile: true, InitValue: 3}},
	}
	tr, ds := NewTrackers(cfg, nil, false)
	if len(ds) != 0 && ds.HasErrors() {
		t.Fatal(ds)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Update, 10)
	done := make(chan struct{})
	go func() { tr.Run(ctx, out); close(done) }()
	got := map[string]Update{}
	for len(got) < 2 {
		select {
		case u := <-out:
			got[u.Kind+":"+u.Name] = u
		case <-time.After(5 * time.Second):
			t.Fatalf("got only %v", got)
		}
	}
	cancel()
	<-done
	if u := got["script:s"]; !u.OK || u.Log != "VRRP_Script(s) succeeded" {
		t.Errorf("script update %+v", u)
	}
	if u := got["file:tf"]; u.Value != 3 || !u.OK {
		t.Errorf("file update %+v (init_file 3)", u)
	}
}
