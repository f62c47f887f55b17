package cordon

import (
	"reflect"
	"testing"
)

// The plans follow RULES.md's table of control measures exactly.
func TestControlPlan(t *testing.T) {
	last := bjt("2022-02-04 20:00") // day 1 is 02-05
	type phase struct {
		typ         OrderType
		first, last string
		tests       []string
	}
	for _, c := range []struct {
		edition, population string
		want                []phase
	}{
		{"cn-8", PopulationCloseContact, []phase{
			{CentralisedQuarantine, "2022-02-05", "2022-02-18", []string{"2022-02-05", "2022-02-08", "2022-02-11", "2022-02-18"}},
			{HomeMonitoring, "2022-02-19", "2022-02-25", []string{"2022-02-20", "2022-02-25"}}}},
		{"cn-8", PopulationSecondaryContact, []phase{
			{CentralisedQuarantine, "2022-02-05", "2022-02-11", nil}}},
		{"cn-9", PopulationCloseContact, []phase{
			{CentralisedQuarantine, "2022-02-05", "2022-02-11", []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-09", "2022-02-11"}},
			{HomeMonitoring, "2022-02-12", "2022-02-14", []string{"2022-02-14"}}}},
		{"cn-9", PopulationSecondaryContact, []phase{
			{HomeQuarantine, "2022-02-05", "2022-02-11", []string{"2022-02-05", "2022-02-08", "2022-02-11"}}}},
		{"cn-9", PopulationHighRiskArea, []phase{
			{CentralisedQuarantine, "2022-02-05", "2022-02-11", []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-09", "2022-02-11"}}}},
		{"cn-9", PopulationMediumRiskArea, []phase{
			{HomeQuarantine, "2022-02-05", "2022-02-11", []string{"2022-02-05", "2022-02-08", "2022-02-11"}}}},
		{"cn-20", PopulationCloseContact, []phase{
			{CentralisedQuarantine, "2022-02-05", "2022-02-09", []string{"2022-02-05", "2022-02-06", "2022-02-07", "2022-02-09"}},
			{HomeQuarantine, "2022-02-10", "2022-02-12", []string{"2022-02-10", "2022-02-12"}}}},
		{"cn-20", PopulationHighRiskArea, []phase{
			{HomeQuarantine, "2022-02-05", "2022-02-11", []string{"2022-02-05", "2022-02-07", "2022-02-09", "2022-02-11"}}}},
	} {
		p, _ := Edition(c.edition)
		plan, err := ControlPlan(p, c.population, last)
		if err != nil {
			t.Errorf("%s %s: %v", c.edition, c.population, err)
			continue
		}
		var got []phase
		for _, ph := range plan {
			got = append(got, phase{ph.Type, ph.FirstDay, ph.LastDay, ph.TestDays})
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s:\n got %+v\nwant %+v", c.edition, c.population, got, c.want)
		}
	}
	// cn-20 identifies no secondary contacts and has no medium tier.
	cn20, _ := Edition("cn-20")
	for _, pop := range []string{PopulationSecondaryContact, PopulationMediumRiskArea} {
		if _, err := ControlPlan(cn20, pop, last); ErrorCode(err) != "control.population_not_identified" {
			t.Errorf("cn-20 %s: %v", pop, err)
		}
	}
	// A later exposure moves the whole plan: the order is extended.
	cn9, _ := Edition("cn-9")
	later, _ := ControlPlan(cn9, PopulationCloseContact, bjt("2022-02-07 08:00"))
	if later[0].FirstDay != "2022-02-08" || later[1].LastDay != "2022-02-17" {
		t.Errorf("extended: %+v", later)
	}
}
