package cordon

import (
	"math"
)

// PoolAdvice is the result of Dorfman's two-stage pooled-testing model for a
// prevalence: test every pool once, then every member of a positive pool
// singly. E(k, p) = 1/k + 1 − (1 − p)^k tests per person.
type PoolAdvice struct {
	Prevalence     float64 `json:"prevalence"`
	PoolSize       int     `json:"pool_size"`        // the best pool size within the limit; 1 means do not pool
	TestsPerPerson float64 `json:"tests_per_person"` // expected tests per person at PoolSize
	// Unlimited is the best pool size if dilution set no limit; pools
	// beyond MaxPoolSize lose sensitivity, so the advice stays within it.
	Unlimited      int     `json:"unlimited_pool_size"`
	UnlimitedTests float64 `json:"unlimited_tests_per_person"`
	TenInOne       float64 `json:"tests_per_person_10_in_1"`
	TwentyInOne    float64 `json:"tests_per_person_20_in_1"`
	PoolingHelps   bool    `json:"pooling_helps"` // false when single tubes need fewer tests
}

// MaxPoolSize is the largest pool the 2022 regional-testing guide allowed
// (20-in-1); larger pools dilute a positive sample below detection.
const MaxPoolSize = 20

// DorfmanTests is the expected number of tests per person with pools of k
// at prevalence p (k = 1 means single tubes: exactly one test each).
func DorfmanTests(k int, p float64) float64 {
	if k <= 1 {
		return 1
	}
	return 1/float64(k) + 1 - math.Pow(1-p, float64(k))
}

// AdvisePoolSize finds the pool size that needs the fewest tests per
// person at prevalence p, up to maxPool (MaxPoolSize when 0). Prevalence
// must lie in [0, 1].
func AdvisePoolSize(p float64, maxPool int) (PoolAdvice, error) {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return PoolAdvice{}, Errorf(KindInvalid, "testing.prevalence_invalid", "prevalence must be a fraction from 0 to 1").WithField("prevalence", "testing.prevalence_invalid")
	}
	if maxPool <= 0 {
		maxPool = MaxPoolSize
	}
	best := func(limit int) (int, float64) {
		k, e := 1, 1.0
		for n := 2; n <= limit; n++ {
			if t := DorfmanTests(n, p); t < e {
				k, e = n, t
			}
		}
		return k, e
	}
	a := PoolAdvice{Prevalence: p, TenInOne: DorfmanTests(10, p), TwentyInOne: DorfmanTests(20, p)}
	a.PoolSize, a.TestsPerPerson = best(maxPool)
	a.Unlimited, a.UnlimitedTests = best(1000)
	a.PoolingHelps = a.PoolSize > 1
	return a, nil
}
