package daemon

import (
	"strconv"

	"github.com/keepalived-go/keepalived/config"
)

// vmacName is the macvlan name asked for an instance's use_vmac: its own
// (use_vmac NAME), else, with a vmac_prefix other than keepalived's
// "vrrp", PREFIX.VRID with the prefix cut so the name fits IFNAMSIZ
// (keepalived vrrp.c create_vmac_name); "" leaves the choice to the host
// (vrrp.VRID, then the fallbacks keepalived tries).
func vmacName(ci *config.Instance, g *config.Global) string {
	if ci.VMACName != "" || g.VMACPrefix == "" || g.VMACPrefix == config.DefaultVMACPrefix {
		return ci.VMACName
	}
	suffix := "." + strconv.Itoa(ci.VRID)
	prefix := g.VMACPrefix
	if max := 15 - len(suffix); len(prefix) > max {
		prefix = prefix[:max]
	}
	return prefix + suffix
}
