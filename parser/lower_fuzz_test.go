package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keepalived-go/keepalived/config"
)

// FuzzLower drives arbitrary text through parsing, lowering, validation,
// the host check and the dump: none of them may panic or hang. Seeded
// with every input of testdata/lower (seeds, samples, snippets, edges).
func FuzzLower(f *testing.F) {
	files, _ := filepath.Glob("testdata/lower/*.conf")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	addSeeds243(f)
	f.Fuzz(func(t *testing.T, text string) {
		// Includes would read this machine's files: FuzzParse covers them.
		if len(text) > 1<<16 || strings.Contains(text, "include") {
			return
		}
		fl, _, err := ParseString("fuzz.conf", text, Options{ConfigID: "fuzz"})
		if err != nil || fl == nil {
			return
		}
		cfg, _ := Lower(fl, Options{ConfigID: "fuzz"})
		if cfg == nil {
			t.Fatal("Lower returned no model")
		}
		config.CheckHost(cfg, func(n string) bool { return len(n)%2 == 0 })
		config.ScriptSecurity(cfg)
		if _, err := config.DumpJSON(cfg); err != nil {
			t.Fatalf("dump: %v", err)
		}
	})
}
