package cordon

import "testing"

func TestPlanCapacity(t *testing.T) {
	// Baise's first round sampled 207,506 people.
	p, err := PlanCapacity(207506, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := CapacityPlan{Population: 207506, DeadlineHours: 24, Samplers: 577, PointsMin: 70, PointsMax: 104, TablesMin: 260, TablesMax: 346}
	if p != want {
		t.Fatalf("plan %+v, want %+v", p, want)
	}
	// Two days halve the samplers; points and tables stay.
	p2, _ := PlanCapacity(207506, 48)
	if p2.Samplers != 289 || p2.PointsMin != want.PointsMin || p2.TablesMax != want.TablesMax {
		t.Fatalf("48-hour plan %+v", p2)
	}
	if p, _ := PlanCapacity(1, 24); p.Samplers != 1 || p.PointsMin != 1 || p.TablesMin != 1 {
		t.Fatalf("one person still needs one of each: %+v", p)
	}
	for _, c := range []struct{ pop, hours int }{{0, 24}, {-5, 24}, {1000, -1}, {1000, 24 * 15}} {
		if _, err := PlanCapacity(c.pop, c.hours); ErrorKind(err) != KindInvalid {
			t.Errorf("PlanCapacity(%d, %d) = %v", c.pop, c.hours, err)
		}
	}
}
