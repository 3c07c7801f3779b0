package vrrpsim

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

func TestKgvRandom(t *testing.T) {
	if os.Getenv("KGV_RAND") == "" {
		t.Skip()
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	deadline := time.Now().Add(90 * time.Second)
	n := 0
	for i := 0; time.Now().Before(deadline); i++ {
		data := make([]byte, r.IntN(300))
		for j := range data {
			data[j] = byte(r.UintN(256))
		}
		s := schedule(data)
		if len(s.Violations()) > 0 || len(s.Masters()) > 1 {
			fmt.Printf("INPUT %q\nVIOL %v\n", data, s.Violations())
			n++
			if n > 5 {
				return
			}
		}
	}
}
