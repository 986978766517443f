package api

import "testing"

func TestMajorUnits_WritesMinorUnitsAsAnExactDecimal(t *testing.T) {
	for _, c := range []struct {
		name     string
		minor    int64
		decimals int
		want     string
	}{
		{"three decimals pad a small amount with zeros", 5, 3, "0.005"},
		{"a whole amount keeps its zero decimals", 5_000_000, 3, "5000.000"},
		{"no decimals leave the figure as it is", 1234, 0, "1234"},
		{"an amount beyond a float's precision stays exact", 9_007_199_254_740_993, 2, "90071992547409.93"},
		{"a negative amount keeps its sign", -150, 2, "-1.50"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := majorUnits(c.minor, c.decimals); got != c.want {
				t.Errorf("majorUnits(%d, %d) = %q; want %q", c.minor, c.decimals, got, c.want)
			}
		})
	}
}
