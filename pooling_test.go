package cordon

import (
	"math"
	"testing"
)

func TestAdvisePoolSize(t *testing.T) {
	cases := []struct {
		p         float64
		k         int
		tests     float64
		unlimited int
		helps     bool
	}{
		// Dorfman's classic table: at 1% the best pool is 11, 0.196 tests each.
		{0.01, 11, 0.1956, 11, true},
		// At 0.1% the best pool (32) is beyond the 20-in-1 limit.
		{0.001, 20, 0.0698, 32, true},
		{0.05, 5, 0.4262, 5, true},
		// Above about 30% single tubes win: pooling cannot help.
		{0.35, 1, 1, 1, false},
		{1, 1, 1, 1, false},
	}
	for _, c := range cases {
		a, err := AdvisePoolSize(c.p, 0)
		if err != nil {
			t.Fatal(err)
		}
		if a.PoolSize != c.k || math.Abs(a.TestsPerPerson-c.tests) > 0.0005 || a.Unlimited != c.unlimited || a.PoolingHelps != c.helps {
			t.Errorf("p=%v: %+v, want pool %d (%.4f tests), unlimited %d, helps %v", c.p, a, c.k, c.tests, c.unlimited, c.helps)
		}
	}
	a, _ := AdvisePoolSize(0.01, 0)
	if math.Abs(a.TenInOne-DorfmanTests(10, 0.01)) > 1e-12 || a.TenInOne <= a.TestsPerPerson || a.TwentyInOne <= a.TestsPerPerson {
		t.Errorf("comparison with 10-in-1 and 20-in-1: %+v", a)
	}
	if got := DorfmanTests(10, 0); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("no prevalence: 10-in-1 costs %v tests each, want 0.1", got)
	}
	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := AdvisePoolSize(bad, 0); ErrorCode(err) != "testing.prevalence_invalid" {
			t.Errorf("prevalence %v: %v", bad, err)
		}
	}
}
