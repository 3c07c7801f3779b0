package daemon

// auth_hmac (keepalived 2.4) in the daemon: the core's configuration from
// the model, and the lines, keys and counters keepalived 2.4.3 adds to its
// dumps for it. Key bytes go to the core only; no dump names them.

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/vrrp"
)

// hmacConfig is the core's auth_hmac, nil when the instance has none.
func hmacConfig(ah *config.AuthHMAC) *vrrp.HMACConfig {
	if ah == nil {
		return nil
	}
	h := &vrrp.HMACConfig{ActiveKey: ah.ActiveKey, AntiReplayTime: ah.AntiReplayTime, TimeWindow: ah.TimeWindow}
	switch ah.Mode {
	case config.HMACPermissive:
		h.Mode = vrrp.HMACPermissive
	case config.HMACReceiveOnly:
		h.Mode = vrrp.HMACReceiveOnly
	}
	for _, k := range ah.Keys {
		h.Keys = append(h.Keys, vrrp.HMACKey{ID: k.ID, Key: []byte(k.Data)})
	}
	return h
}

// hmacDataLines are keepalived 2.4.3's keepalived.data lines for auth_hmac.
func hmacDataLines(ah *config.AuthHMAC) []string {
	if ah == nil {
		return nil
	}
	out := []string{
		"   Authentication extension = HMAC-SHA256-128",
		fmt.Sprintf("     Keys = %d, active key id = %d", len(ah.Keys), ah.ActiveKey),
		"     Mode = " + ah.Mode.String(),
	}
	if ah.AntiReplayTime {
		out = append(out, fmt.Sprintf("     Anti replay = time, window = %d sec", ah.TimeWindow/time.Second))
	} else {
		out = append(out, "     Anti replay = monotonic")
	}
	return out
}

// hmacStatsText is keepalived 2.4.3's "Authentication Extension Errors"
// part of keepalived.stats. keepalived 2.4.3 prints it for every instance;
// we print it for the instances with auth_hmac, so the file of a 2.2.7
// configuration stays 2.2.7's.
func hmacStatsText(s vrrp.HMACStats) string {
	return fmt.Sprintf("  Authentication Extension Errors:\n    Missing: %d\n    Malformed: %d\n    Unknown Key: %d\n    Invalid HMAC: %d\n    Stale: %d\n    Replay: %d\n",
		s.Missing, s.Malformed, s.UnknownKey, s.InvalidMAC, s.Stale, s.Replay)
}

// jsonStats is an instance's "stats" object of keepalived.json: keepalived
// 2.2.7's keys, and with auth_hmac 2.4.3's auth_ext_* ones after
// auth_failure, in 2.4.3's order.
type jsonStats struct {
	vrrp.KeepalivedStats
	hmac *vrrp.HMACStats
}

func jsonStatsOf(s vrrp.Stats, ci *config.Instance) jsonStats {
	js := jsonStats{KeepalivedStats: s.KeepalivedStats}
	if ci.AuthHMAC != nil {
		h := s.HMACStats
		js.hmac = &h
	}
	return js
}

// MarshalJSON writes the keys in keepalived's order.
func (s jsonStats) MarshalJSON() ([]byte, error) {
	if s.hmac == nil {
		return json.Marshal(s.KeepalivedStats)
	}
	k, h := s.KeepalivedStats, s.hmac
	return json.Marshal(struct {
		AdvertRcvd        uint64 `json:"advert_rcvd"`
		AdvertSent        uint64 `json:"advert_sent"`
		BecomeMaster      uint64 `json:"become_master"`
		ReleaseMaster     uint64 `json:"release_master"`
		PacketLenErr      uint64 `json:"packet_len_err"`
		AdvertIntervalErr uint64 `json:"advert_interval_err"`
		IPTTLErr          uint64 `json:"ip_ttl_err"`
		InvalidTypeRcvd   uint64 `json:"invalid_type_rcvd"`
		AddrListErr       uint64 `json:"addr_list_err"`
		InvalidAuthType   uint64 `json:"invalid_authtype"`
		AuthTypeMismatch  uint64 `json:"authtype_mismatch"`
		AuthFailure       uint64 `json:"auth_failure"`
		vrrp.HMACStats
		PriZeroRcvd uint64 `json:"pri_zero_rcvd"`
		PriZeroSent uint64 `json:"pri_zero_sent"`
	}{k.AdvertRcvd, k.AdvertSent, k.BecomeMaster, k.ReleaseMaster, k.PacketLenErr, k.AdvertIntervalErr,
		k.IPTTLErr, k.InvalidTypeRcvd, k.AddrListErr, k.InvalidAuthType, k.AuthTypeMismatch, k.AuthFailure,
		*h, k.PriZeroRcvd, k.PriZeroSent})
}
