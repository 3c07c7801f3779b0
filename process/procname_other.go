//go:build !linux

package process

// SetName does nothing outside Linux: there is no per-thread name to set
// from a running Go program, and the daemon does not run there.
func SetName(string) {}
