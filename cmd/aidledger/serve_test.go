package main

import "testing"

func TestSchedulerThreads_AreFourPerCPUUnlessTheEnvironmentOrTheFlagSaysOtherwise(t *testing.T) {
	tests := []struct {
		name         string
		env          string
		cpus, perCPU int
		want         int
		wantSet      bool
	}{
		{"four per CPU by default", "", 2, 4, 8, true},
		{"the flag sets how many per CPU", "", 4, 2, 8, true},
		{"GOMAXPROCS in the environment wins", "3", 2, 4, 0, false},
		{"0 keeps Go's default", "", 2, 0, 0, false},
		{"a machine that reports no CPU still gets threads", "", 0, 4, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, set := schedulerThreads(tt.env, tt.cpus, tt.perCPU)
			if got != tt.want || set != tt.wantSet {
				t.Fatalf("schedulerThreads(%q, %d, %d) = %d, %v; want %d, %v", tt.env, tt.cpus, tt.perCPU, got, set, tt.want, tt.wantSet)
			}
		})
	}
}

func TestParseProxies_TakesAddressesAndRangesAndRefusesTheRest(t *testing.T) {
	got, err := parseProxies([]string{"10.0.0.5", "10.1.0.0/16", "fd00::1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.5/32", "10.1.0.0/16", "fd00::1/128"}
	for i, n := range got {
		if n.String() != want[i] {
			t.Errorf("%d: %s; want %s", i, n, want[i])
		}
	}
	for _, bad := range []string{"proxy.example.org", "10.0.0.0/33", ""} {
		if _, err := parseProxies([]string{bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestCountryCode_TakesOneToThreeDigitsAndGivesTheDemoJordans(t *testing.T) {
	tests := []struct {
		in      string
		demo    bool
		want    string
		wantErr bool
	}{
		{"962", false, "962", false},
		{"+44", false, "44", false},
		{"1", false, "1", false},
		{"", false, "", false},
		{"", true, "962", false},
		{"33", true, "33", false},
		{"0962", false, "", true},
		{"9620", false, "", true},
		{"jo", false, "", true},
	}
	for _, tt := range tests {
		got, err := countryCode(tt.in, tt.demo)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("countryCode(%q, %v) = %q, %v; want %q, error %v", tt.in, tt.demo, got, err, tt.want, tt.wantErr)
		}
	}
}
