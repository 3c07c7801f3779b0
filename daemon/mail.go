package daemon

import (
	"context"
	"os"
	"os/user"
	"reflect"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/mail"
)

// E-mail alerts (smtp_alert): the notifier is wrapped so that after each
// instance or sync group notification (scripts, FIFO) a mail is queued
// for instances and groups with smtp_alert, keepalived's order. Sending
// runs on the mail package's goroutine: the loop only queues.

// mailState is the running e-mail configuration and its sender.
type mailState struct {
	cfg     config.Mail
	alerter *mail.Alerter
}

// mailCloseWait is how long shutdown lets queued mails (the STOP alerts)
// go out before cutting the dialogue.
const mailCloseWait = time.Second

// setupMail starts, replaces or stops the sender for cfg (at start and on
// reload) and wraps the notifier. Alerts need a server and an address.
func (d *Daemon) setupMail(cfg *config.Config) {
	m := cfg.Global.Mail
	var last *mail.Alerter
	if d.mail != nil {
		if reflect.DeepEqual(d.mail.cfg, m) && d.mail.alerter.RouterID == routerID(cfg) {
			d.mail.alerter.NoEmailFaults = m.NoEmailFaults
		} else {
			last = d.mail.alerter
			go last.Sender.Close(context.Background()) // lets its queue drain
			d.mail = nil
		}
	}
	if d.mail == nil && m.Server != "" && len(m.Emails) > 0 {
		host := localName()
		mc := mail.Config{Server: m.Server, HeloName: m.HeloName, From: m.From, To: m.Emails, Timeout: m.ConnectTimeout}
		if mc.HeloName == "" {
			mc.HeloName = host
		}
		if mc.From == "" {
			if u, err := user.Current(); err == nil {
				mc.From = u.Username + "@" + host
			}
		}
		a := &mail.Alerter{Sender: mail.NewSender(mc, d.log), RouterID: routerID(cfg), NoEmailFaults: m.NoEmailFaults}
		if last != nil {
			a.KeepLast(last)
		}
		d.mail = &mailState{cfg: m, alerter: a}
	}
	if _, ok := d.notify.(*mailNotifier); !ok && d.notify != nil {
		d.notify = &mailNotifier{notifier: d.notify, d: d}
	}
}

// closeMail stops the sender at shutdown, after the STOP alerts.
func (d *Daemon) closeMail() {
	if d.mail == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), mailCloseWait)
	defer cancel()
	d.mail.alerter.Sender.Close(ctx) // later alerts are dropped and counted
}

// mailStats is what the sender did so far (zero without alerts).
func (d *Daemon) mailStats() mail.Stats {
	if d.mail == nil {
		return mail.Stats{}
	}
	return d.mail.alerter.Sender.Stats()
}

// routerID is router_id, else keepalived's default, the local name.
func routerID(cfg *config.Config) string {
	if cfg.Global.RouterID != "" {
		return cfg.Global.RouterID
	}
	return localName()
}

func localName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "[unknown]"
}

// mailNotifier adds the alert after the notifier's own work.
type mailNotifier struct {
	notifier
	d *Daemon
}

func (n *mailNotifier) Instance(in *config.Instance, state string, prio int) {
	n.notifier.Instance(in, state, prio)
	if n.d.mail != nil && in.SMTPAlert {
		n.d.mail.alerter.Instance(in.Name, state, n.d.opts.Now())
	}
}

func (n *mailNotifier) Group(g *config.SyncGroup, state string) {
	n.notifier.Group(g, state)
	if n.d.mail != nil && g.SMTPAlert {
		n.d.mail.alerter.Group(g.Name, state, n.d.opts.Now())
	}
}
