package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// goVersionRelease is what hashicorp/go-version's NewVersion accepts
// without a pre-release part: a version that compares >= 2.2.7 (it reads
// "2.2.7-compatible" as a pre-release, older than 2.2.7).
var goVersionRelease = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*$`)

// TestVersionParsedAsKeepalived runs on our -v output the steps
// mehdy/keepalived-exporter 5aedbfb takes on keepalived's
// (internal/types/utils/version.go ParseVersion, and
// host.HasJSONSignalSupport): the first line split on blanks, the second
// word without its "v" is the version; JSON support is "--enable-json"
// anywhere in `keepalived --version`. The same steps on Debian's
// keepalived 2.2.7 output (quoted below) give the same answers.
func TestVersionParsedAsKeepalived(t *testing.T) {
	var b bytes.Buffer
	writeVersion(&b)
	debian := "Keepalived v2.2.7 (01/16,2022)\n\nCopyright(C) 2001-2022 Alexandre Cassen, <acassen@gmail.com>\n\n" +
		"Built with kernel headers for Linux 5.19.11\n\nconfigure options: --build=x86_64-linux-gnu --enable-json --with-init=systemd\n"
	for name, out := range map[string]string{"ours": b.String(), "keepalived 2.2.7": debian} {
		lines := strings.SplitN(out, "\n", 2)
		if len(lines) != 2 {
			t.Fatalf("%s: one line only: %q", name, out)
		}
		args := strings.Split(lines[0], " ")
		if len(args) < 2 || len(args[1]) < 2 {
			t.Fatalf("%s: first line %q", name, lines[0])
		}
		if v := args[1][1:]; v != "2.2.7" || !goVersionRelease.MatchString(v) {
			t.Errorf("%s: version token %q, want the release 2.2.7", name, v)
		}
		if !strings.Contains(out, "--enable-json") {
			t.Errorf("%s: no --enable-json: the exporter refuses -ka.json", name)
		}
	}
	// The layout: ours on a line of its own, then keepalived's sections.
	got := b.String()
	for _, want := range []string{"\nkeepalived-go " + Version, "\nRunning on ", "\n\nconfigure options: ", "\n\nConfig options:  "} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	if l := strings.SplitN(got, "\n", 2)[0]; l != "Keepalived v2.2.7 (01/16,2022)" {
		t.Errorf("first line %q, want keepalived's", l)
	}
}

// TestVersionBanner: the start-up banner keeps keepalived's words up to
// the date (log greps, `Starting Keepalived v2.2.7`) and names us.
func TestVersionBanner(t *testing.T) {
	s := versionString()
	if !strings.HasPrefix(s, "Keepalived v2.2.7 (01/16,2022), keepalived-go "+Version) {
		t.Errorf("banner %q", s)
	}
	if f := strings.Fields(s); f[1] != "v2.2.7" {
		t.Errorf("second word %q", f[1])
	}
}
