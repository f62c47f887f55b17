package cordon

import "math"

// CapacityPlan sizes sampling for an area by the 3rd-edition regional
// testing guide (2022-03): one sampler per 360 people for a round finished
// within 24 hours, one sampling point per 2,000-3,000 people, one table per
// 600-800 people. Ranges give the fewest and the most the guide allows.
type CapacityPlan struct {
	Population    int `json:"population"`
	DeadlineHours int `json:"deadline_hours"`
	Samplers      int `json:"samplers"`
	PointsMin     int `json:"points_min"` // at 3,000 people a point
	PointsMax     int `json:"points_max"` // at 2,000 people a point
	TablesMin     int `json:"tables_min"` // at 800 people a table
	TablesMax     int `json:"tables_max"` // at 600 people a table
}

// The guide's ratios.
const (
	PeoplePerSampler  = 360 // in a 24-hour round
	PeoplePerPointMin = 2000
	PeoplePerPointMax = 3000
	PeoplePerTableMin = 600
	PeoplePerTableMax = 800
)

// PlanCapacity sizes sampling for a population and a deadline in hours
// (24 when 0). A longer deadline needs proportionally fewer samplers; points
// and tables follow the population alone.
func PlanCapacity(population, deadlineHours int) (CapacityPlan, error) {
	var v Invalid
	v.Code = "testing.capacity_invalid"
	if population <= 0 || population > 100_000_000 {
		v.Add("population", "testing.population_invalid")
	}
	if deadlineHours == 0 {
		deadlineHours = 24
	}
	if deadlineHours < 1 || deadlineHours > 24*14 {
		v.Add("deadline_hours", "testing.deadline_invalid")
	}
	if err := v.Err(); err != nil {
		return CapacityPlan{}, err
	}
	up := func(a, b float64) int { return int(math.Ceil(a / b)) }
	p := float64(population)
	return CapacityPlan{
		Population:    population,
		DeadlineHours: deadlineHours,
		Samplers:      up(p*24/float64(deadlineHours), PeoplePerSampler),
		PointsMin:     up(p, PeoplePerPointMax),
		PointsMax:     up(p, PeoplePerPointMin),
		TablesMin:     up(p, PeoplePerTableMax),
		TablesMax:     up(p, PeoplePerTableMin),
	}, nil
}
