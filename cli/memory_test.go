package cli

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// imageRSS sums the resident kB of this process's read-only mappings of its
// own executable, and of its writable ones, from /proc/self/smaps.
func imageRSS(t *testing.T) (readOnly, writable int) {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Skip(err)
	}
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	var cur *int
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && len(f[1]) == 4:
			cur = nil
			if len(f) >= 6 && f[5] == exe {
				cur = &readOnly
				if f[1][1] == 'w' {
					cur = &writable
				}
			}
		case len(f) == 3 && f[0] == "Rss:" && cur != nil:
			n, _ := strconv.Atoi(f[1])
			*cur += n
		}
	}
	return readOnly, writable
}

// TestTrimImage: trimImage drops most of the resident read-only pages of
// the executable (what runs next faults a few back) and leaves the
// writable ones, which hold the program's state, alone.
func TestTrimImage(t *testing.T) {
	ro0, rw0 := imageRSS(t)
	if ro0 < 512 {
		t.Skipf("only %d kB of the image resident: nothing to measure", ro0)
	}
	trimImage()
	ro1, rw1 := imageRSS(t)
	t.Logf("read-only image resident: %d kB -> %d kB; writable %d kB -> %d kB", ro0, ro1, rw0, rw1)
	if ro1 > ro0/2 {
		t.Errorf("read-only image resident after trimImage: %d kB, before %d kB", ro1, ro0)
	}
	if rw1 < rw0 {
		t.Errorf("writable image pages dropped: %d kB -> %d kB", rw0, rw1)
	}
}
