//go:build !linux

package process

import "errors"

// setRealtime is Linux-only (the daemon runs on Linux only).
func setRealtime(int) error { return errors.New("process: real-time scheduling is Linux-only here") }

func setNice(int) error       { return errors.New("process: nice values are Linux-only here") }
func setAffinity([]int) error { return errors.New("process: CPU affinity is Linux-only here") }
