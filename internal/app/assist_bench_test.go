package app_test

import (
	"fmt"
	"testing"

	"cordon"
)

// BenchmarkAssistFanOut sends one assist request of 10,000 typed people
// spread over 100 counties: each county gets a letter, and each person is
// matched to or registered as a person record there. The target is 5 s an
// op on SQLite; run with -benchtime=1x.
func BenchmarkAssistFanOut(b *testing.B) {
	s := newFixture(b)
	sender := s.account(cordon.RoleEpidemiologist, youjiang).Actor()
	counties := benchCounties(s, 100)
	const people = 10000
	// A small request first, as a running server has sent before: its
	// statements are then prepared, as they would be.
	warm := cordon.AssistInput{Reason: "预热", People: []cordon.AssistPersonInput{{Name: "韦某", IDNumber: idNumber(debao, s.next()), Current: debao}}}
	if _, err := s.app.CreateAssist(s.ctx, sender, warm); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		in := cordon.AssistInput{Reason: "大数据推送：与确诊病例时空伴随", Source: cordon.AssistBigData, People: make([]cordon.AssistPersonInput, people)}
		for i := range in.People {
			county := counties[i%len(counties)]
			in.People[i] = cordon.AssistPersonInput{Name: fmt.Sprintf("韦%d", i), IDNumber: idNumber(county, s.next()),
				Phone: phoneNumber(s.next()), Current: county, Note: "时空伴随"}
		}
		b.StartTimer()
		out, err := s.app.CreateAssist(s.ctx, sender, in)
		if err != nil || len(out.Requests) != len(counties) || len(out.Errors) != 0 {
			b.Fatalf("fan-out: %d letters, %d errors, %v", len(out.Requests), len(out.Errors), err)
		}
	}
	b.ReportMetric(float64(people)*float64(b.N)/b.Elapsed().Seconds(), "people/s")
}

// benchCounties picks n counties of Guangxi and its neighbours outside
// Youjiang, in directory order.
func benchCounties(s *fixture, n int) []string {
	var out []string
	for _, province := range []string{"450000", "440000", "530000", "520000", "430000"} {
		for _, city := range s.app.Directory().Children(province) {
			for _, county := range s.app.Directory().Children(city.Code) {
				if county.Level == cordon.LevelCounty && county.Code != youjiang && len(out) < n {
					out = append(out, county.Code)
				}
			}
		}
	}
	return out
}
