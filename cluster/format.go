package cluster

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// TablesText is the per-virtual-router tables as check-config prints them
// after the findings:
//
//	VRID 51 IPv4, VIP 192.168.0.150/24: lb1.conf (nginx) 100, lb2.conf (nginx) 90
//	  event                                lb1.conf  lb2.conf  master    after recovery
//	  all well                             100       90        lb1.conf
//	  lb1.conf: track_script chk fails     FAULT     90        lb2.conf  lb1.conf
func (r Report) TablesText() string {
	lines := strings.Split(r.tablesText(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func (r Report) tablesText() string {
	var b strings.Builder
	for i, t := range r.Routers {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(t.header())
		b.WriteByte('\n')
		if t.Note != "" {
			b.WriteString("  (" + t.Note + ")\n")
		}
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "  event")
		for _, m := range t.Members {
			fmt.Fprint(tw, "\t"+m.Node)
		}
		fmt.Fprintln(tw, "\tmaster\tafter recovery")
		for _, rw := range t.Rows {
			fmt.Fprint(tw, "  "+rw.Event)
			for _, c := range rw.Priorities {
				switch c.State {
				case "up":
					fmt.Fprintf(tw, "\t%d", c.Priority)
				case "held":
					fmt.Fprintf(tw, "\t%d held", c.Priority)
				default:
					fmt.Fprint(tw, "\t"+c.State)
				}
			}
			fmt.Fprintf(tw, "\t%s\t%s\n", masterText(rw.Master), recoveryText(rw))
		}
		tw.Flush()
	}
	return b.String()
}

func (t Router) header() string {
	vips := "no VIP"
	switch len(t.VIPs) {
	case 0:
	case 1:
		vips = "VIP " + t.VIPs[0]
	default:
		vips = "VIPs " + strings.Join(t.VIPs, ", ")
	}
	ms := make([]string, 0, len(t.Members))
	for _, m := range t.Members {
		s := fmt.Sprintf("%s (%s", m.Node, m.Instance)
		if m.VRID != t.VRID {
			s += fmt.Sprintf(", VRID %d", m.VRID)
		}
		if m.Address != "" {
			s += ", " + m.Address
			if m.AddressInferred {
				s += " inferred"
			}
		}
		if m.Nopreempt {
			s += ", nopreempt"
		}
		ms = append(ms, s+fmt.Sprintf(") %d", m.Priority))
	}
	return fmt.Sprintf("VRID %d %s, %s: %s", t.VRID, t.Family, vips, strings.Join(ms, ", "))
}

func masterText(ms []string) string {
	switch len(ms) {
	case 0:
		return "none"
	case 1:
		return ms[0]
	}
	return strings.Join(ms, " or ")
}

func recoveryText(rw Row) string {
	if rw.Node == "" {
		return ""
	}
	return masterText(rw.AfterRecovery)
}
