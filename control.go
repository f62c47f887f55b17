package cordon

import "time"

// OrderType is a kind of control order (管控措施).
type OrderType string

const (
	CentralisedQuarantine OrderType = "centralised_quarantine" // 集中隔离
	HomeQuarantine        OrderType = "home_quarantine"        // 居家隔离
	HomeMonitoring        OrderType = "home_monitoring"        // 居家健康监测
	HospitalIsolation     OrderType = "hospital_isolation"     // 医院隔离治疗
	PendingRetest         OrderType = "pending_retest"         // 待复核居家
)

// Populations the policy editions give measures for.
const (
	PopulationCloseContact     = "close_contact"
	PopulationSecondaryContact = "secondary_contact"
	PopulationHighRiskArea     = "high_risk_area"
	PopulationMediumRiskArea   = "medium_risk_area"
	// Guangxi's returnee populations (gx-2022-01).
	PopulationRiskAreaArrival   = "risk_area_arrival"
	PopulationRiskCountyArrival = "risk_county_arrival"
	PopulationCaseCityArrival   = "case_city_arrival"
)

// ControlPhase is one stretch of a control plan: its type, its first and
// last day (China time, inclusive) and its test days.
type ControlPhase struct {
	Type      OrderType `json:"type"`
	FirstDay  string    `json:"first_day"` // YYYY-MM-DD
	LastDay   string    `json:"last_day"`
	TestDays  []string  `json:"test_days,omitempty"`
	DayNumber int       `json:"day_number"` // the plan's day number of FirstDay (1 for the first phase)
}

// ControlPlan is what the edition in force prescribes for a population
// from a last exposure (or arrival): centralised quarantine, then the
// time at home, each with its test days. Day 1 is the day after the last
// exposure, China time ("control periods count from the last exposure").
// A population the edition does not identify (cn-20's secondary contacts)
// is refused with control.population_not_identified, naming the edition.
func ControlPlan(p Policy, population string, lastExposure time.Time) ([]ControlPhase, error) {
	m := p.Measures[population]
	if m == nil || m.CentralisedDays == 0 && m.HomeDays == 0 {
		return nil, Errorf(KindInvalid, "control.population_not_identified", "the %s edition identifies no %s", p.Key, population)
	}
	l := lastExposure.In(ChinaTime)
	day0 := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, ChinaTime)
	date := func(n int) string { return day0.AddDate(0, 0, n).Format(time.DateOnly) }
	var plan []ControlPhase
	next := 1
	phase := func(t OrderType, days int, tests []int) {
		ph := ControlPhase{Type: t, FirstDay: date(next), LastDay: date(next + days - 1), DayNumber: next}
		for _, d := range tests {
			if d >= 1 && d <= days {
				ph.TestDays = append(ph.TestDays, date(next+d-1))
			}
		}
		plan = append(plan, ph)
		next += days
	}
	if m.CentralisedDays > 0 {
		phase(CentralisedQuarantine, m.CentralisedDays, m.Tests)
	}
	if m.HomeDays > 0 {
		t := HomeMonitoring
		if m.Home == "isolation" {
			t = HomeQuarantine
		}
		tests := m.HomeTests
		if m.CentralisedDays == 0 && len(tests) == 0 {
			tests = m.Tests
		}
		phase(t, m.HomeDays, tests)
	}
	return plan, nil
}
