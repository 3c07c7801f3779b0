package netif

import "strconv"

// VMACNames are the first n names keepalived 2.2.7's create_vmac_name
// tries for a VMAC of vrid with prefix: PREFIX.VRID, then (IPv6)
// PREFIX6.VRID, then PREFIX1.VRID, PREFIX2.VRID... (6 skipped for IPv6),
// each with the prefix cut so that the name fits IFNAMSIZ (15 characters).
func VMACNames(prefix string, vrid uint8, ipv6 bool, n int) []string {
	name := func(num string) string {
		suffix := num + "." + strconv.Itoa(int(vrid))
		p := prefix
		if room := 15 - len(suffix); len(p) > room {
			p = p[:max(room, 0)]
		}
		return p + suffix
	}
	names := []string{name("")}
	if ipv6 {
		names = append(names, name("6"))
	}
	for i := 1; len(names) < n; i++ {
		if ipv6 && i == 6 {
			continue
		}
		names = append(names, name(strconv.Itoa(i)))
	}
	return names[:n]
}
