package mail

import "time"

// instanceWords and groupWords are keepalived's subject tail and body for
// each state an alert is sent for (vrrp/vrrp_notify.c
// vrrp_smtp_notifier, vrrp_sync_smtp_notifier); other states send none.
var instanceWords = map[string][2]string{
	"MASTER":  {"Entering MASTER state", "=> VRRP Instance is now owning VRRP VIPs <="},
	"BACKUP":  {"Entering BACKUP state", "=> VRRP Instance is no longer owning VRRP VIPs <="},
	"FAULT":   {"Entering FAULT state", "=> VRRP Instance is no longer owning VRRP VIPs <="},
	"STOP":    {"Stopping", "=> VRRP Instance stopping <="},
	"DELETED": {"Deleted", "=> VRRP Deleted at reload <="},
}

var groupWords = map[string][2]string{
	"MASTER": {"Entering MASTER state", "=> All VRRP group instances are now in MASTER state <="},
	"BACKUP": {"Entering BACKUP state", "=> All VRRP group instances are now in BACKUP state <="},
	"FAULT":  {"Entering FAULT state", "=> All VRRP group instances are now in FAULT state <="},
	"STOP":   {"Stopping", "=> All VRRP group instances are now stopping <="},
}

// InstanceAlert is the message for vrrp_instance name entering state
// (MASTER, BACKUP, FAULT, STOP, DELETED): subject "[router_id] VRRP
// Instance VI_1 - Entering MASTER state". ok is false for a state that
// keepalived sends no mail for.
func InstanceAlert(routerID, name, state string, at time.Time) (m Message, ok bool) {
	w, ok := instanceWords[state]
	if !ok {
		return Message{}, false
	}
	return Message{Subject: "[" + routerID + "] VRRP Instance " + name + " - " + w[0], Body: w[1], Date: at}, true
}

// GroupAlert is the message for vrrp_sync_group name entering state.
func GroupAlert(routerID, name, state string, at time.Time) (m Message, ok bool) {
	w, ok := groupWords[state]
	if !ok {
		return Message{}, false
	}
	return Message{Subject: "[" + routerID + "] VRRP Group " + name + " - " + w[0], Body: w[1], Date: at}, true
}

// Alerter decides which transitions send a mail, as keepalived does: only
// for instances and groups with smtp_alert, never for FAULT with
// no_email_faults, and only when the state differs from the last one
// mailed for that name (last_email_state).
type Alerter struct {
	Sender        *Sender
	RouterID      string
	NoEmailFaults bool
	last          map[string]string
}

// Instance mails instance name's entry into state if it should.
func (a *Alerter) Instance(name, state string, at time.Time) {
	a.maybe("i:"+name, state, func() (Message, bool) { return InstanceAlert(a.RouterID, name, state, at) })
}

// Group mails sync group name's entry into state if it should.
func (a *Alerter) Group(name, state string, at time.Time) {
	a.maybe("g:"+name, state, func() (Message, bool) { return GroupAlert(a.RouterID, name, state, at) })
}

func (a *Alerter) maybe(key, state string, msg func() (Message, bool)) {
	if a == nil || a.Sender == nil || (a.NoEmailFaults && state == "FAULT") {
		return
	}
	if a.last == nil {
		a.last = map[string]string{}
	}
	if a.last[key] == state {
		return
	}
	m, ok := msg()
	if !ok {
		return
	}
	a.last[key] = state
	a.Sender.Send(m)
}

// KeepLast carries the last mailed states of prev over (a reload that
// changed the mail settings does not re-send an unchanged state).
func (a *Alerter) KeepLast(prev *Alerter) {
	if prev == nil || prev.last == nil {
		return
	}
	a.last = map[string]string{}
	for k, v := range prev.last {
		a.last[k] = v
	}
}
