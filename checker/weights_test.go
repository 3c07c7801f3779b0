package checker

import "testing"

func TestContribution(t *testing.T) {
	tests := []struct {
		name      string
		w         int
		reverse   bool
		ok        bool
		wantDelta int
		wantFault bool
	}{
		{"unweighted up", 0, false, true, 0, false},
		{"unweighted down is fault", 0, false, false, 0, true},
		{"unweighted reverse up is fault", 0, true, true, 0, true},
		{"unweighted reverse down", 0, true, false, 0, false},
		{"positive up adds", 20, false, true, 20, false},
		{"positive down adds nothing", 20, false, false, 0, false},
		{"positive reverse up subtracts", 20, true, true, -20, false},
		{"positive reverse down nothing", 20, true, false, 0, false},
		{"negative up nothing", -30, false, true, 0, false},
		{"negative down subtracts", -30, false, false, -30, false},
		{"negative reverse up nothing", -30, true, true, 0, false},
		{"negative reverse down adds", -30, true, false, 30, false},
		{"max weight up", 253, false, true, 253, false},
		{"min weight down", -253, false, false, -253, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, f := Contribution(tc.w, tc.reverse, tc.ok)
			if d != tc.wantDelta || f != tc.wantFault {
				t.Fatalf("Contribution(%d, %v, %v) = %d, %v; want %d, %v", tc.w, tc.reverse, tc.ok, d, f, tc.wantDelta, tc.wantFault)
			}
		})
	}
}

func TestEffectivePriority(t *testing.T) {
	tests := []struct {
		name      string
		base, sum int
		want      int
	}{
		{"unchanged", 100, 0, 100},
		{"up", 100, 20, 120},
		{"down", 100, -30, 70},
		{"capped at 254", 200, 100, 254},
		{"exactly 254", 204, 50, 254},
		{"floored at 1", 50, -253, 1},
		{"exactly 1", 31, -30, 1},
		{"zero becomes 1", 30, -30, 1},
		{"owner keeps 255 down", 255, -50, 255},
		{"owner keeps 255 up", 255, 50, 255},
		{"254 base going up stays 254", 254, 10, 254},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := EffectivePriority(tc.base, tc.sum); got != tc.want {
				t.Fatalf("EffectivePriority(%d, %d) = %d, want %d", tc.base, tc.sum, got, tc.want)
			}
		})
	}
}

func TestFileContribution(t *testing.T) {
	tests := []struct {
		name      string
		value, w  int
		reverse   bool
		wantDelta int
		wantFault bool
	}{
		{"weight 0, value 0 is fine", 0, 0, false, 0, false},
		{"weight 0, non-zero is fault", 5, 0, false, 0, true},
		{"weight 0, negative is fault", -1, 0, false, 0, true},
		{"weight 0 reverse, zero is fault", 0, 0, true, 0, true},
		{"weight 0 reverse, non-zero is fine", 3, 0, true, 0, false},
		{"value times weight", 10, 2, false, 20, false},
		{"reverse negates", 10, 2, true, -20, false},
		{"negative weight", 10, -3, false, -30, false},
		{"capped at 253", 100, 10, false, 253, false},
		{"exactly 253", 253, 1, false, 253, false},
		{"254 capped", 254, 1, false, 253, false},
		{"-253 is a priority change", -253, 1, false, -253, false},
		{"-254 is fault", -254, 1, false, 0, true},
		{"far below is fault", -1000, 1, false, 0, true},
		{"reverse to -254 is fault", 127, 2, true, 0, true},
		{"huge values do not overflow", 1 << 31, 254, false, 253, false},
		{"huge negative is fault", -(1 << 31), 254, false, 0, true},
		{"value 0 weighted contributes nothing", 0, 50, false, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, f := FileContribution(tc.value, tc.w, tc.reverse)
			if d != tc.wantDelta || f != tc.wantFault {
				t.Fatalf("FileContribution(%d, %d, %v) = %d, %v; want %d, %v", tc.value, tc.w, tc.reverse, d, f, tc.wantDelta, tc.wantFault)
			}
		})
	}
}

func TestParseFileValue(t *testing.T) {
	tests := []struct {
		in     string
		want   int
		wantOK bool
	}{
		{"", 0, true},
		{"5\n", 5, true},
		{"  -12 trailing", -12, true},
		{"+7", 7, true},
		{"0x1f\n", 31, true},
		{"0X10", 16, true},
		{"010", 8, true},
		{"09", 0, true}, // octal: stops at 9
		{"0x", 0, true}, // strtol reads the 0
		{"abc", 0, true},
		{"\t\n42", 42, true},
		{"2147483648", 1 << 31, true}, // keepalived allows INT32_MAX+1
		{"2147483649", 0, false},
		{"-2147483648", -(1 << 31), true},
		{"-2147483649", 0, false},
		{"99999999999999999999999", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseFileValue([]byte(tc.in))
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("ParseFileValue(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
