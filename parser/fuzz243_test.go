package parser

import "testing"

// addSeeds243 seeds a fuzz target with the keywords and blocks of
// keepalived 2.4.3: every snippet of TestKeywords243Known (each keyword in
// its block, LVS, checkers, SSL, BFD, track_group included), the model
// cases of TestLower243, and ${_ENV}.
func addSeeds243(f *testing.F) {
	kws := readKeywords243(f)
	opens := map[string]bool{}
	for _, k := range kws {
		if k.block != "-" {
			opens[k.block] = true
		}
	}
	for _, k := range kws {
		f.Add(snippet(k.block, k.kw, opens))
	}
	for _, tc := range lower243Cases {
		f.Add(tc.text)
	}
	f.Add("global_defs {\n router_id ${_ENV HOME}\n smtp_helo_name ${_ENV A B}${_ENV}\n}\n$X=${_ENV PATH}\nvirtual_server group ${_ENV X} {\n real_server 10.0.0.1 80 {\n  HTTP_GET {\n   url {\n    status_code 200-299 404\n   }\n  }\n }\n}\n")
}
