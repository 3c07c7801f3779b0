package notify

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/keepalived-go/keepalived/config"
)

// BenchmarkInstanceFifoRoundTrip is what the VRRP loop pays per transition when
// only a FIFO is configured: the call, the queue and the FIFO write, read
// back by a reader (end to end).
func BenchmarkInstanceFifoRoundTrip(b *testing.B) {
	path := filepath.Join(b.TempDir(), "fifo")
	n, err := New(config.Global{NotifyFifo: &config.Fifo{Path: path}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	r, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	sc := bufio.NewScanner(r)
	in := &config.Instance{Name: "VI_1"}
	for b.Loop() {
		n.Instance(in, "MASTER", 100)
		if !sc.Scan() {
			b.Fatal("no line")
		}
	}
	_ = n.Close(context.Background())
}
