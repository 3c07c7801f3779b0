package vrrp

// complete fills what the tests leave unset as the model (package config)
// completes every instance: down_timer_adverts 3, the family's multicast
// group, unicast TTL 255 over IPv4, GARP repeats of 1. NewInstance itself
// fills nothing in.
func complete(c Config) Config {
	if c.DownTimerAdverts == 0 {
		c.DownTimerAdverts = 3
	}
	if !c.McastGroup.IsValid() {
		c.McastGroup = MulticastGroup4
		if c.IPv6 {
			c.McastGroup = MulticastGroup6
		}
	}
	if c.UnicastTTL == 0 && !c.IPv6 {
		c.UnicastTTL = TTL
	}
	c.GarpMasterRepeat = max(c.GarpMasterRepeat, 1)
	c.GarpMasterRefreshRepeat = max(c.GarpMasterRefreshRepeat, 1)
	return c
}
