package linelist

import (
	"io"
	"strconv"
	"time"

	"cordon"
)

// RiskAreaHeadings head the risk-area list: public information, no
// personal data.
var RiskAreaHeadings = []string{"编号", "风险等级", "所在辖区", "辖区代码", "名称", "生效时间", "截止时间", "本级起始", "解除时间", "划定原因", "解除原因", "防控方案"}

// WriteRiskAreas writes risk areas in the format; place names a
// jurisdiction.
func WriteRiskAreas(w io.Writer, format string, areas []cordon.RiskArea, place func(string) string) error {
	return writeTable(w, format, "风险区", RiskAreaHeadings, len(areas), func(i int) []string {
		r := areas[i]
		return []string{strconv.FormatInt(r.ID, 10), RiskTierName(r), place(r.Jurisdiction), r.Jurisdiction, r.Name,
			stamp(r.From), stamp(r.To), stamp(r.TierSince), stamp(r.LiftedAt), r.Reason, r.LiftReason, r.Edition}
	})
}

// RiskTierName is the Chinese name of an area's tier under its edition.
func RiskTierName(r cordon.RiskArea) string {
	if p, ok := cordon.Edition(r.Edition); ok {
		if t, ok := p.RiskTier(r.Tier); ok {
			return t.Name
		}
	}
	return r.Tier
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cordon.ChinaTime).Format("2006-01-02 15:04")
}
