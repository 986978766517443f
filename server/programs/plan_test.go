package programs

import "testing"

func TestPlannedItems_FillOneChunkAtATimeInTheOrderAdded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		added int
		want  []int // chunk lengths
	}{
		{"nothing added holds no chunk", 0, nil},
		{"fewer than a chunk holds one partial chunk", 2, []int{2}},
		{"exactly a chunk holds one full chunk", 3, []int{3}},
		{"one more than a chunk starts a second", 4, []int{3, 1}},
		{"several chunks fill before the last", 8, []int{3, 3, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := plannedItems{size: 3}
			for i := range tc.added {
				p.add(plannedItem{amount: int64(i)})
			}
			if p.n != tc.added || len(p.chunks) != len(tc.want) {
				t.Fatalf("%d items in %d chunks, want %d in %d", p.n, len(p.chunks), tc.added, len(tc.want))
			}
			next := int64(0)
			for i, c := range p.chunks {
				if len(c) != tc.want[i] || cap(c) != 3 {
					t.Errorf("chunk %d: length %d capacity %d, want %d and 3", i, len(c), cap(c), tc.want[i])
				}
				for _, it := range c {
					if it.amount != next {
						t.Fatalf("item %d is the %dth added", next, it.amount)
					}
					next++
				}
			}
		})
	}
}
