package config

import (
	"fmt"
	"time"
)

// This file is the model of keepalived 2.4's `auth_hmac { ... }` block of a
// vrrp_instance (vrrp_parser.c, vrrp_auth_hmac.h): an HMAC-SHA256 trailer
// after the VRRP PDU, with a time based sequence against replay. The
// parser fills it (parser/lower_hmac.go); vrrp signs and checks with it.

// Bounds of auth_hmac, as keepalived 2.4.3 has them.
const (
	HMACKeyMin       = 32  // bytes
	HMACKeyMax       = 64  // bytes
	HMACWindowMin    = 1   // seconds
	HMACWindowMax    = 300 // seconds
	HMACWindowFloor  = 5   // seconds: the least derived window
	HMACDefaultRatio = 3   // derived window: 3 x advert_int
)

// HMACMode is what a node does with adverts without a valid trailer, and
// whether it signs its own.
type HMACMode int

const (
	// HMACEnforce, the default, signs and drops unsigned or bad adverts.
	HMACEnforce HMACMode = iota
	// HMACPermissive signs, and accepts unsigned adverts (a migration step).
	HMACPermissive
	// HMACReceiveOnly sends unsigned adverts and verifies a trailer that is
	// present: the first migration step.
	HMACReceiveOnly
)

func (m HMACMode) String() string {
	switch m {
	case HMACPermissive:
		return "permissive"
	case HMACReceiveOnly:
		return "receive-only"
	}
	return "enforce"
}

// MarshalText writes the mode as its keyword.
func (m HMACMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Secret is key material. It prints as asterisks in every fmt verb and is
// never marshalled, so a dump, log or plan line cannot carry it.
type Secret []byte

// Format writes a fixed mask whatever the verb.
func (Secret) Format(f fmt.State, _ rune) { f.Write([]byte("********")) }

// MarshalText writes the mask: a secret never leaves the process.
func (Secret) MarshalText() ([]byte, error) { return []byte("********"), nil }

// HMACKey is one `key ID VALUE` line.
type HMACKey struct {
	Pos  Pos    `json:"pos"`
	ID   uint8  `json:"id"`
	Len  int    `json:"length"`
	Data Secret `json:"-"`
	// File is the file the value was read from (file:), if any.
	File string `json:"file,omitempty"`
}

// AuthHMAC is an instance's auth_hmac block after validation: at least one
// key, the active key among them, a window set when AntiReplayTime.
type AuthHMAC struct {
	Pos       Pos       `json:"pos"`
	Keys      []HMACKey `json:"keys"`
	ActiveKey uint8     `json:"active_key"`
	Mode      HMACMode  `json:"mode"`
	// AntiReplayTime is `anti_replay time` (the default): a sequence is
	// fresh only within TimeWindow of the receiver's clock. Otherwise
	// (`monotonic`) it need only grow.
	AntiReplayTime bool `json:"anti_replay_time"`
	// TimeWindow is time_window, or derived from advert_int:
	// max(3 x advert_int, 5 s), at most 300 s (whole seconds).
	TimeWindow time.Duration `json:"time_window"`
}

// Key returns the key with id, or nil.
func (a *AuthHMAC) Key(id uint8) *HMACKey {
	for i := range a.Keys {
		if a.Keys[i].ID == id {
			return &a.Keys[i]
		}
	}
	return nil
}

// Summary describes the settings for check-config --dump, keys by id
// only: "HMAC-SHA256-128, keys 1 2, active 2, enforce, anti_replay time
// (window 5s)". Empty for nil.
func (a *AuthHMAC) Summary() string {
	if a == nil {
		return ""
	}
	ids := ""
	for _, k := range a.Keys {
		ids += fmt.Sprintf(" %d", k.ID)
	}
	ar := "anti_replay monotonic"
	if a.AntiReplayTime {
		ar = fmt.Sprintf("anti_replay time (window %v)", a.TimeWindow)
	}
	return fmt.Sprintf("HMAC-SHA256-128, keys%s, active %d, %s, %s", ids, a.ActiveKey, a.Mode, ar)
}

// DerivedHMACWindow is the window keepalived 2.4.3 derives when time_window
// is unset: 3 x advert_int in whole seconds, at least 5, at most 300.
func DerivedHMACWindow(advertInt time.Duration) time.Duration {
	w := HMACDefaultRatio * int(advertInt/time.Second)
	if w < HMACWindowFloor {
		w = HMACWindowFloor
	} else if w > HMACWindowMax {
		w = HMACWindowMax
	}
	return time.Duration(w) * time.Second
}
