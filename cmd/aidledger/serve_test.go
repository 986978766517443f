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
