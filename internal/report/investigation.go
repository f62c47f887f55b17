package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/pdf"
)

// InvestigationTitle is the title of the investigation report.
const InvestigationTitle = "新型冠状病毒感染病例流行病学调查报告"

// InvestigationData is what the investigation report shows: the case and
// its investigation as the reader may see them (app masks them by role),
// the names of places, and who generated the report when.
type InvestigationData struct {
	Case          cordon.Case
	Investigation cordon.Investigation
	// Place names a jurisdiction code ("广西壮族自治区百色市德保县"); the code
	// itself is printed when it returns "".
	Place       func(code string) string
	Generated   time.Time
	GeneratedBy string
}

func (d InvestigationData) place(code string) string {
	if code == "" {
		return ""
	}
	if d.Place != nil {
		if p := d.Place(code); p != "" {
			return p
		}
	}
	return code
}

// WriteInvestigation writes the investigation report of a case: its facts,
// the household, symptoms and tests, the itinerary day by day over the
// window, the exposure history and the probable source, with the time it
// was generated and page numbers.
func WriteInvestigation(w io.Writer, d InvestigationData) error {
	c, inv := d.Case, d.Investigation
	doc := pdf.New()
	doc.Title = InvestigationTitle + " " + caseNumber(c.ID)
	doc.Subject = "流行病学调查报告"
	doc.Author = inv.Investigators
	doc.Created = d.Generated

	doc.Heading(1, InvestigationTitle)
	status := "草稿（未提交）"
	if inv.Status == cordon.InvestigationSubmitted {
		status = "初步报告，提交于 " + when(inv.SubmittedAt)
	}
	doc.Center(pdf.BodySize, "病例编号 "+caseNumber(c.ID)+"　　"+status)
	doc.Space(6)

	doc.Heading(2, "一、基本情况")
	classification := label(classificationLabels, string(c.Classification))
	if c.Severity != "" {
		classification += "（" + label(severityLabels, string(c.Severity)) + "）"
	}
	variant := strings.TrimSpace(c.Variant + " " + c.Lineage)
	vaccine := dash
	if inv.VaccineDoses > 0 {
		vaccine = fmt.Sprintf("已接种 %d 剂", inv.VaccineDoses)
		if inv.LastDoseDate != "" {
			vaccine += "，末剂 " + inv.LastDoseDate
		}
	} else if inv.Version > 0 {
		vaccine = "未接种"
	}
	outcome := "治疗中"
	if c.Outcome != "" {
		outcome = label(outcomeLabels, string(c.Outcome))
	}
	doc.KeyValues([]pdf.KV{
		{Key: "病例编号", Value: caseNumber(c.ID)},
		{Key: "姓名", Value: or(c.Name)},
		{Key: "证件号码", Value: or(c.IDNumber)},
		{Key: "病例分类", Value: classification},
		{Key: "发病日期", Value: or(c.OnsetDate)},
		{Key: "采样日期", Value: or(c.SamplingDate)},
		{Key: "发现时间", Value: when(c.DetectedAt)},
		{Key: "报告时间", Value: when(c.ReportedAt)},
		{Key: "毒株/分支", Value: or(variant)},
		{Key: "收治医院", Value: or(c.Hospital)},
		{Key: "转归", Value: outcome},
		{Key: "感染类型", Value: label(originLabels, string(c.Origin))},
		{Key: "责任辖区", Value: or(d.place(c.Jurisdiction))},
		{Key: "职业", Value: or(inv.Occupation)},
		{Key: "工作单位", Value: or(inv.Workplace)},
		{Key: "疫苗接种", Value: vaccine},
		{Key: "管控日期", Value: or(inv.Window.To)},
		{Key: "调查人员", Value: or(inv.Investigators)},
	})

	doc.Heading(2, "二、同住人员")
	if len(inv.Household) == 0 {
		doc.TextBlock(pdf.BodySize, "无同住人员记录。")
	} else {
		rows := make([][]string, len(inv.Household))
		for i, m := range inv.Household {
			age := dash
			if m.Age > 0 {
				age = strconv.Itoa(m.Age)
			}
			tested := "否"
			if m.Tested {
				tested = "是"
			}
			registered := dash
			if m.PersonID != 0 {
				registered = strconv.FormatInt(m.PersonID, 10)
			}
			rows[i] = []string{strconv.Itoa(i + 1), m.Name, or(m.Relation), age, or(m.IDNumber), or(m.Phone), tested, registered}
		}
		doc.Table([]pdf.Column{{Title: "序号", Width: 1}, {Title: "姓名", Width: 2}, {Title: "关系", Width: 1.5}, {Title: "年龄", Width: 1},
			{Title: "证件号码", Width: 4}, {Title: "联系电话", Width: 3}, {Title: "已检测", Width: 1.2}, {Title: "人员编号", Width: 1.5}}, rows)
	}

	doc.Heading(2, "三、临床表现")
	if len(inv.Symptoms) == 0 {
		if c.Classification == cordon.Asymptomatic {
			doc.TextBlock(pdf.BodySize, "无症状。")
		} else {
			doc.TextBlock(pdf.BodySize, "未记录症状。")
		}
	} else {
		rows := make([][]string, len(inv.Symptoms))
		for i, s := range inv.Symptoms {
			rows[i] = []string{label(symptomLabels, s.Code), or(s.Since), or(s.Note)}
		}
		doc.Table([]pdf.Column{{Title: "症状", Width: 2}, {Title: "出现日期", Width: 2}, {Title: "说明", Width: 5}}, rows)
	}

	doc.Heading(2, "四、检测经过")
	if len(inv.Tests) == 0 {
		doc.TextBlock(pdf.BodySize, "未记录此前的检测。")
	} else {
		rows := make([][]string, len(inv.Tests))
		for i, t := range inv.Tests {
			rows[i] = []string{t.Date, or(t.Place), label(resultLabels, t.Result), ct(t.CtORF1ab), ct(t.CtN)}
		}
		doc.Table([]pdf.Column{{Title: "日期", Width: 2}, {Title: "检测地点", Width: 5}, {Title: "结果", Width: 1.5},
			{Title: "ORF1ab Ct", Width: 1.5}, {Title: "N Ct", Width: 1.5}}, rows)
	}

	doc.Heading(2, "五、活动轨迹")
	win := inv.Window
	doc.TextBlock(pdf.BodySize, fmt.Sprintf("调查时段：%s 至 %s（%s日期 %s 前 %d 天至管控当日）。", win.From, win.To,
		label(anchorLabels, win.AnchorKind), or(win.Anchor), win.LookbackDays))
	doc.Space(4)
	doc.Table([]pdf.Column{{Title: "日期", Width: 2}, {Title: "时间", Width: 2.2}, {Title: "地点与活动", Width: 5},
		{Title: "交通方式", Width: 3.8}, {Title: "同行人员", Width: 2.5}}, itineraryRows(d))

	doc.Heading(2, "六、暴露史")
	if len(inv.Exposures) == 0 {
		doc.TextBlock(pdf.BodySize, "未发现明确暴露史。")
	} else {
		rows := make([][]string, len(inv.Exposures))
		for i, x := range inv.Exposures {
			related := dash
			if x.CaseID != 0 {
				related = "病例 " + caseNumber(x.CaseID)
			}
			rows[i] = []string{label(exposureLabels, x.Kind), or(x.Date), x.Description, related}
		}
		doc.Table([]pdf.Column{{Title: "类型", Width: 2.5}, {Title: "日期", Width: 2}, {Title: "情况", Width: 6}, {Title: "关联病例", Width: 1.8}}, rows)
	}

	doc.Heading(2, "七、可能的感染来源")
	src := inv.Source
	kvs := []pdf.KV{{Key: "判定", Value: label(sourceLabels, src.Kind)}}
	switch src.Kind {
	case cordon.SourceCase:
		kvs = append(kvs, pdf.KV{Key: "传染来源病例", Value: "病例 " + caseNumber(src.CaseID)})
	case cordon.SourceImported:
		kvs = append(kvs, pdf.KV{Key: "输入来源地", Value: or(src.Origin)})
	case cordon.SourceEnvironment:
		kvs = append(kvs, pdf.KV{Key: "暴露环境/物品", Value: or(src.Environment)})
	}
	kvs = append(kvs, pdf.KV{Key: "判定依据", Value: or(src.Reasoning)})
	doc.KeyValues(kvs)

	if len(inv.Warnings) > 0 {
		doc.Heading(2, "八、数据核查提示")
		rows := make([][]string, len(inv.Warnings))
		for i, w := range inv.Warnings {
			where := w.Date
			if w.Entry != 0 {
				where = fmt.Sprintf("第 %d 条", w.Entry)
				if w.Other != 0 {
					where += fmt.Sprintf("、第 %d 条", w.Other)
				}
			}
			rows[i] = []string{label(warningLabels, w.Code), where}
		}
		doc.Table([]pdf.Column{{Title: "提示", Width: 3}, {Title: "位置", Width: 2}}, rows)
	}

	doc.Space(12)
	footer := "报告生成时间：" + when(d.Generated) + "（北京时间）"
	if d.GeneratedBy != "" {
		footer += "　　生成人：" + d.GeneratedBy
	}
	if !inv.UpdatedAt.IsZero() {
		footer += "　　最后修改：" + when(inv.UpdatedAt)
	}
	doc.TextBlock(pdf.TableSize, footer)
	_, err := doc.WriteTo(w)
	return err
}

// ct prints a Ct value, the dash when unknown.
func ct(v float64) string {
	if v == 0 {
		return dash
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// itineraryRows lays the itinerary out day by day: every day of the
// window, and any other day an entry starts on (such entries are warned
// about), in order. An entry is listed on the day it starts; a day it
// continues into says so, a day at home says so, and a day with neither
// is marked as not investigated.
func itineraryRows(d InvestigationData) [][]string {
	inv := d.Investigation
	days := inv.Window.Days()
	starts := map[string][]int{}
	for i, e := range inv.Itinerary {
		day := e.From.In(chinaTime).Format(time.DateOnly)
		starts[day] = append(starts[day], i)
		if !slices.Contains(days, day) {
			days = append(days, day)
		}
	}
	slices.Sort(days)
	covered := inv.Covered(inv.Window)
	var rows [][]string
	for _, day := range days {
		home := slices.Contains(inv.HomeDays, day)
		if len(starts[day]) == 0 {
			switch {
			case len(covered[day]) > 0:
				rows = append(rows, []string{day, dash, fmt.Sprintf("续前日第 %d 条记录", covered[day][0]), dash, dash})
			case home:
				rows = append(rows, []string{day, "全天", "居家，未外出", dash, dash})
			default:
				rows = append(rows, []string{day, dash, "（未调查）", dash, dash})
			}
			continue
		}
		for _, i := range starts[day] {
			e := inv.Itinerary[i]
			rows = append(rows, []string{day, span(e), placeText(d, e), transportText(e.Transport), companionsText(e.Companions)})
		}
		if home {
			rows = append(rows, []string{day, dash, "其余时间居家", dash, dash})
		}
	}
	return rows
}

// span prints an entry's time: hours on its day, with the end's date when
// it ends on a later day.
func span(e cordon.ItineraryEntry) string {
	from, to := e.From.In(chinaTime), e.To.In(chinaTime)
	end := to.Format("15:04")
	if to.Format(time.DateOnly) != from.Format(time.DateOnly) {
		end = to.Format("01-02 15:04")
	}
	return from.Format("15:04") + "–" + end
}

// placeText is the place of an entry with its registered venue, its
// jurisdiction, what the case did there, and the notes.
func placeText(d InvestigationData, e cordon.ItineraryEntry) string {
	parts := []string{e.Place}
	if e.VenueName != "" && e.VenueName != e.Place {
		parts = append(parts, "场所："+e.VenueName)
	}
	if e.VenueID != 0 {
		parts = append(parts, "场所编号 "+strconv.FormatInt(e.VenueID, 10))
	}
	if e.Jurisdiction != "" {
		parts = append(parts, d.place(e.Jurisdiction))
	}
	if e.Activity != "" {
		parts = append(parts, e.Activity)
	}
	if e.Notes != "" {
		parts = append(parts, "备注："+e.Notes)
	}
	return strings.Join(parts, "；")
}

// transportText is the mode, vehicle and seat of an entry.
func transportText(t cordon.Transport) string {
	if t.Mode == "" && t.Vehicle == "" {
		return dash
	}
	s := label(modeLabels, t.Mode)
	if t.Mode == "" {
		s = ""
	}
	if t.Vehicle != "" {
		s = strings.TrimSpace(s + " " + t.Vehicle)
	}
	if t.Seat != "" {
		s += " 座位 " + t.Seat
	}
	return s
}

// companionsText lists who was with the case.
func companionsText(cs []cordon.ItineraryCompanion) string {
	if len(cs) == 0 {
		return dash
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		switch {
		case c.Name != "" && c.PersonID != 0:
			names[i] = c.Name + "（人员编号 " + strconv.FormatInt(c.PersonID, 10) + "）"
		case c.Name != "":
			names[i] = c.Name
		default:
			names[i] = "人员编号 " + strconv.FormatInt(c.PersonID, 10)
		}
	}
	return strings.Join(names, "、")
}
