package daemon

import (
	"container/heap"
	"time"
)

// timers keeps the instances ordered by their next deadline, so that the
// loop finds the earliest one and the due ones without scanning every
// instance at every wake-up (1,000 masters wake the loop ~1,000 times a
// second). An instance's deadline can only change when it is stepped: apply
// marks it touched, and the heap is fixed before it is read.
type timers struct {
	h       timerHeap
	touched map[*instance]bool
	dirty   bool        // the instance set changed: rebuild
	due     []*instance // onTimer's list, kept to be reused
}

type timerHeap []*instance

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.hasDeadline != b.hasDeadline {
		return a.hasDeadline
	}
	return a.deadline.Before(b.deadline)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx, h[j].heapIdx = i, j
}
func (h *timerHeap) Push(x any) {
	in := x.(*instance)
	in.heapIdx = len(*h)
	*h = append(*h, in)
}
func (h *timerHeap) Pop() any {
	old := *h
	in := old[len(old)-1]
	*h = old[:len(old)-1]
	return in
}

// touch records that an instance was stepped.
func (d *Daemon) touch(in *instance) {
	if d.timers.touched == nil {
		d.timers.touched = map[*instance]bool{}
	}
	d.timers.touched[in] = true
}

// refreshTimers brings the heap up to date with the instances' deadlines.
func (d *Daemon) refreshTimers() {
	t := &d.timers
	if t.dirty || len(t.h) != len(d.insts) {
		t.h = t.h[:0]
		for _, in := range d.insts {
			in.deadline, in.hasDeadline = in.eng.NextDeadline()
			in.heapIdx = len(t.h)
			t.h = append(t.h, in)
		}
		heap.Init(&t.h)
		t.dirty = false
		clear(t.touched)
		return
	}
	for in := range t.touched {
		if in.heapIdx < 0 || in.heapIdx >= len(t.h) || t.h[in.heapIdx] != in {
			t.dirty = true // removed meanwhile: rebuild
			continue
		}
		in.deadline, in.hasDeadline = in.eng.NextDeadline()
		heap.Fix(&t.h, in.heapIdx)
	}
	clear(t.touched)
	if t.dirty {
		d.refreshTimers()
	}
}

// nextDeadline is the earliest deadline of any instance or queued
// gratuitous ARP.
func (d *Daemon) nextDeadline() (time.Time, bool) {
	d.refreshTimers()
	t, ok := d.nextGarp()
	if q := d.quietAt; !q.IsZero() && (!ok || q.Before(t)) {
		t, ok = q, true
	}
	if q := d.delayUntil; !q.IsZero() && (!ok || q.Before(t)) {
		t, ok = q, true // to log "Delayed start completed" on time
	}
	if len(d.timers.h) == 0 || !d.timers.h[0].hasDeadline {
		return t, ok
	}
	if top := d.timers.h[0].deadline; !ok || top.Before(t) {
		return top, true
	}
	return t, true
}

// onTimer steps every instance whose deadline has passed, each once (a
// core whose deadline stays in the past cannot spin the loop).
func (d *Daemon) onTimer(now time.Time) {
	d.checkStall(now)
	d.checkQuiet(now)
	d.delaying(now)
	d.sendDueGarps(now)
	d.refreshTimers()
	due := d.timers.due[:0]
	defer func() { clear(due); d.timers.due = due[:0] }()
	for i := 0; i < len(d.insts); i++ {
		top := d.timers.h[0]
		if !top.hasDeadline || top.deadline.After(now) {
			break
		}
		due = append(due, top)
		// Park it at the end of the order until it is stepped.
		top.hasDeadline = false
		heap.Fix(&d.timers.h, 0)
		d.touch(top)
	}
	for _, in := range due {
		if t, ok := in.eng.NextDeadline(); ok && !t.After(now) {
			d.step(now, in, nil)
		}
	}
}
