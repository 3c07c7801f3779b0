package procwatch

import (
	"bytes"
	"io"
	"os"
	"strconv"
)

// maxCmdline bounds what is read of a command line. A block's arguments
// longer than this can never match.
const maxCmdline = 4096

// ProcFS reads processes from a proc filesystem mounted at Root.
type ProcFS struct{ Root string }

// Scan lists the processes, reading what the blocks compare (read_procs):
// comm and state from stat, and/or the command line. A process that
// cannot be read (gone meanwhile) is left out.
func (f ProcFS) Scan(comm, cmdline bool) (map[int]Proc, error) {
	d, err := os.Open(f.Root)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	out := make(map[int]Proc, len(names))
	buf := make([]byte, maxCmdline)
	for _, n := range names {
		if n == "" || n[0] < '1' || n[0] > '9' {
			continue
		}
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		var p Proc
		if cmdline {
			b, ok := readInto(f.Root+"/"+n+"/cmdline", buf)
			if !ok {
				continue
			}
			p.Cmdline = append([]byte(nil), b...)
		}
		if comm {
			b, ok := readInto(f.Root+"/"+n+"/stat", buf[:128])
			if !ok {
				continue
			}
			c, zombie, ok := parseStat(b)
			if !ok {
				continue
			}
			p.Comm, p.Zombie = c, zombie
		}
		out[pid] = p
	}
	return out, nil
}

// Read reads one process after an exec event (check_process): its comm
// from /proc/PID/comm and/or its command line. ok is false when it is gone.
func (f ProcFS) Read(pid int, comm, cmdline bool) (Proc, bool) {
	dir := f.Root + "/" + strconv.Itoa(pid)
	var p Proc
	buf := make([]byte, maxCmdline)
	if cmdline {
		b, ok := readInto(dir+"/cmdline", buf)
		if !ok {
			return Proc{}, false
		}
		p.Cmdline = append([]byte(nil), b...)
	}
	if comm {
		b, ok := readInto(dir+"/comm", buf[:17])
		if !ok {
			return Proc{}, false
		}
		p.Comm = string(bytes.TrimSuffix(b, []byte{'\n'}))
	}
	return p, true
}

// parseStat takes comm (between the first '(' and the first ')' after it,
// as keepalived reads it) and whether the state that follows is Z.
func parseStat(b []byte) (comm string, zombie, ok bool) {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	l := bytes.IndexByte(b, '(')
	if l < 0 {
		return "", false, false
	}
	r := bytes.IndexByte(b[l+1:], ')')
	if r < 0 {
		return "", false, false
	}
	r += l + 1
	if r+2 >= len(b) {
		return "", false, false
	}
	return string(b[l+1 : r]), b[r+2] == 'Z', true
}

// readInto reads at most len(buf) bytes of a file into buf.
func readInto(path string, buf []byte) ([]byte, bool) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer fh.Close()
	n, err := io.ReadFull(fh, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, false
	}
	return buf[:n], true
}
