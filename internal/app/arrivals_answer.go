package app

import (
	"context"
	"time"

	"cordon"
)

// ArrivalAnswer is what the public self-report answers the traveller:
// only what they sent, masked, and what they owe. It never carries the
// person's record, other channels' reports or the risk areas matched, so
// that typing someone else's ID number tells nothing beyond the duty.
type ArrivalAnswer struct {
	Name            string    `json:"name"`      // masked
	IDNumber        string    `json:"id_number"` // masked
	Destination     string    `json:"destination"`
	DestinationName string    `json:"destination_name"`
	ArrivedAt       time.Time `json:"arrived_at"`
	Population      string    `json:"population"`
	Tier            string    `json:"tier,omitempty"`
	// OnTime: the report came before the arrival or within the edition's
	// ReportAfterHours after it.
	OnTime           bool          `json:"on_time"`
	ReportAfterHours int           `json:"report_after_hours,omitempty"`
	Duties           []ArrivalDuty `json:"obligations"`
}

// ArrivalDuty is one open or met obligation in the traveller's words: a
// number of tests within hours of the arrival, or the days of a control
// order's measure.
type ArrivalDuty struct {
	Kind            cordon.ObligationKind   `json:"kind"`
	Status          cordon.ObligationStatus `json:"status"`
	Tests           int                     `json:"tests,omitempty"`
	WithinHours     int                     `json:"within_hours,omitempty"`
	DueAt           time.Time               `json:"due_at,omitzero"`
	Mandatory       bool                    `json:"mandatory"`
	Measure         string                  `json:"measure,omitempty"`
	CentralisedDays int                     `json:"centralised_days,omitempty"`
	HomeDays        int                     `json:"home_days,omitempty"`
	Home            string                  `json:"home,omitempty"`
}

// ReportArrivalAnswer is ReportArrival for the public surfaces: the report
// stored, answered with an ArrivalAnswer.
func (a *App) ReportArrivalAnswer(ctx context.Context, in cordon.TripReport, remote string) (ArrivalAnswer, error) {
	v, err := a.ReportArrival(ctx, in, remote)
	if err != nil {
		return ArrivalAnswer{}, err
	}
	pol, err := a.Policy(ctx, v.Destination, v.ArrivedAt)
	if err != nil {
		return ArrivalAnswer{}, err
	}
	out := ArrivalAnswer{Name: cordon.MaskName(in.Name), IDNumber: cordon.MaskDocNumber(in.IDNumber), Destination: v.Destination,
		DestinationName: v.DestinationName, ArrivedAt: v.ArrivedAt, Population: v.Population, Tier: v.Tier,
		OnTime: v.OnTime == nil || *v.OnTime, ReportAfterHours: pol.Arrivals.ReportAfterHours, Duties: []ArrivalDuty{}}
	for _, o := range v.Obligation {
		if o.Status == cordon.ObligationSuperseded {
			continue
		}
		d := ArrivalDuty{Kind: o.Kind, Status: o.Status, Tests: o.Tests, DueAt: o.DueAt, Mandatory: o.Mandatory, Measure: o.Measure}
		if !o.DueAt.IsZero() {
			d.WithinHours = int(o.DueAt.Sub(v.ArrivedAt).Round(time.Hour).Hours())
		}
		if m := pol.Measures[o.Measure]; m != nil {
			d.CentralisedDays, d.HomeDays, d.Home = m.CentralisedDays, m.HomeDays, m.Home
		}
		out.Duties = append(out.Duties, d)
	}
	return out, nil
}
