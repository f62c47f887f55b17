package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/pdf"
)

// OrderTitle is the title of a control order's notice; hospital isolation
// is notified with OrderTitleHospital.
const (
	OrderTitle         = "隔离管控告知书"
	OrderTitleHospital = "隔离治疗通知书"
)

// OrderData is what the order notice shows: the order as the reader may
// see it (app masks it by role), the edition it follows, the names of
// places, and who generated it when.
type OrderData struct {
	Order   cordon.ControlOrder
	Edition cordon.Policy // the edition named by the order; zero for an order on a document
	// Place names a jurisdiction code; the code itself is printed when it
	// returns "".
	Place       func(code string) string
	Generated   time.Time
	GeneratedBy string
}

var orderTypeLabels = map[string]string{
	string(cordon.CentralisedQuarantine): "集中隔离医学观察",
	string(cordon.HomeQuarantine):        "居家隔离医学观察",
	string(cordon.HomeMonitoring):        "居家健康监测",
	string(cordon.HospitalIsolation):     "定点医院隔离治疗",
	string(cordon.PendingRetest):         "待复核居家管控",
}

var basisLabels = map[string]string{
	string(cordon.BasisContact): "密切接触者（或密接的密接）",
	string(cordon.BasisCase):    "新冠病毒感染者",
	string(cordon.BasisRetest):  "混管检测阳性待单管复核人员",
	string(cordon.BasisArrival): "中高风险地区来返人员",
	string(cordon.BasisManual):  "经研判需管控人员",
}

var populationLabels = map[string]string{
	cordon.PopulationCloseContact:     "密切接触者",
	cordon.PopulationSecondaryContact: "密接的密接",
	cordon.PopulationHighRiskArea:     "高风险地区旅居人员",
	cordon.PopulationMediumRiskArea:   "中风险地区旅居人员",
}

var orderStatusLabels = map[string]string{
	string(cordon.OrderActive):    "管控中",
	string(cordon.OrderReleased):  "已解除",
	string(cordon.OrderConverted): "已转为隔离治疗",
	string(cordon.OrderCancelled): "已撤销",
}

// orderDuties are what the person must do, by measure.
var orderDuties = map[cordon.OrderType]string{
	cordon.CentralisedQuarantine: "在指定集中隔离场所单人单间隔离，不得外出，不得相互串门；",
	cordon.HomeQuarantine:        "居家隔离期间原则上单独居住，不得外出，不得接待来访，生活必需品由社区协助配送；",
	cordon.HomeMonitoring:        "居家健康监测期间不得前往人员密集场所，不参加聚集性活动，确需外出须做好个人防护；",
	cordon.HospitalIsolation:     "在定点医疗机构接受隔离治疗，服从医疗机构管理；",
	cordon.PendingRetest:         "立即居家等待单管复核采样，复核结果出具前不得外出；",
}

// dayNumbers prints test days as "第1天（02-05）、第2天（02-06）".
func dayNumbers(o cordon.ControlOrder, days []string) string {
	if len(days) == 0 {
		return dash
	}
	start, _ := time.ParseInLocation(time.DateOnly, o.StartsOn, chinaTime)
	parts := make([]string, len(days))
	for i, d := range days {
		t, err := time.ParseInLocation(time.DateOnly, d, chinaTime)
		if err != nil {
			parts[i] = d
			continue
		}
		n := int(t.Sub(start).Hours()+12)/24 + 1
		parts[i] = fmt.Sprintf("第%d天（%s）", n, t.Format("01-02"))
	}
	return strings.Join(parts, "、")
}

// WriteOrder writes the printable notice of a control order (隔离管控告知书,
// or 隔离治疗通知书 for hospital isolation): to whom, on what basis and
// under which edition, each phase with its dates and test days, what the
// person must do, where the order stands, and the places to sign.
func WriteOrder(w io.Writer, d OrderData) error {
	o := d.Order
	place := func(code string) string {
		if d.Place != nil {
			if p := d.Place(code); p != "" {
				return p
			}
		}
		return code
	}
	title := OrderTitle
	if len(o.Phases) > 0 && o.Phases[0].Type == cordon.HospitalIsolation {
		title = OrderTitleHospital
	}
	number := "管控〔" + o.CreatedAt.In(chinaTime).Format("2006") + "〕第 " + strconv.FormatInt(o.ID, 10) + " 号"
	doc := pdf.New()
	doc.Title = title + " " + number
	doc.Subject = title
	doc.Author = place(o.Jurisdiction)
	doc.Created = d.Generated

	doc.Heading(1, title)
	doc.Center(pdf.BodySize, number)
	doc.Space(6)

	who := o.Name
	if o.IDNumber != "" {
		who += "（证件号码 " + o.IDNumber + "）"
	}
	doc.TextBlock(pdf.BodySize, who+"：")
	rules := "《中华人民共和国传染病防治法》"
	if d.Edition.Key != "" {
		rules += "和《" + d.Edition.Name + "》（" + d.Edition.Key + "）"
	}
	kind := label(basisLabels, string(o.Basis))
	if p := populationLabels[o.Population]; p != "" {
		kind = p
	}
	doc.Paragraph(fmt.Sprintf("根据%s的规定，经研判，您为%s。为保障您和他人的健康，现对您实施以下管控措施，请予配合。", rules, kind))

	doc.Heading(2, "一、管控措施")
	rows := make([][]string, len(o.Phases))
	for i, ph := range o.Phases {
		span, days := ph.FirstDay+" 起", "—"
		if ph.LastDay != "" {
			span = ph.FirstDay + " 至 " + ph.LastDay
			first, _ := time.ParseInLocation(time.DateOnly, ph.FirstDay, chinaTime)
			last, _ := time.ParseInLocation(time.DateOnly, ph.LastDay, chinaTime)
			days = strconv.Itoa(int(last.Sub(first).Hours()+12)/24+1) + " 天"
		}
		rows[i] = []string{strconv.Itoa(i + 1), label(orderTypeLabels, string(ph.Type)), span, days, dayNumbers(o, ph.TestDays)}
	}
	doc.Table([]pdf.Column{{Title: "阶段", Width: 1}, {Title: "管控措施", Width: 3}, {Title: "起止日期", Width: 4.2},
		{Title: "天数", Width: 1.3}, {Title: "核酸检测", Width: 5.5}}, rows)
	doc.Space(4)
	period := o.StartsOn + " 起，至解除之日止"
	if o.EndsOn != "" {
		period = o.StartsOn + " 至 " + o.EndsOn
	}
	kvs := []pdf.KV{
		{Key: "管控对象类别", Value: kind},
		{Key: "管控期限", Value: period},
	}
	if !o.LastExposure.IsZero() {
		kvs = append(kvs, pdf.KV{Key: "末次暴露时间", Value: when(o.LastExposure)})
	}
	if d.Edition.Key != "" {
		kvs = append(kvs, pdf.KV{Key: "执行方案", Value: d.Edition.Name + "（" + d.Edition.Key + "）"})
	}
	kvs = append(kvs, pdf.KV{Key: "责任辖区", Value: place(o.Jurisdiction)}, pdf.KV{Key: "当前状态", Value: label(orderStatusLabels, string(o.Status))})
	if o.Status == cordon.OrderReleased {
		how := "管控期满，解除条件满足"
		if o.ReleaseKind == cordon.ReleaseEarly {
			how = "提前解除"
		}
		if o.ReleaseReason != "" {
			how += "：" + o.ReleaseReason
		}
		kvs = append(kvs, pdf.KV{Key: "解除情况", Value: when(o.ReleasedAt) + " " + how})
	}
	if o.Note != "" {
		kvs = append(kvs, pdf.KV{Key: "备注", Value: o.Note})
	}
	doc.KeyValues(kvs)

	doc.Heading(2, "二、管控期间须知")
	var duties []string
	seen := map[cordon.OrderType]bool{}
	for _, ph := range o.Phases {
		if !seen[ph.Type] {
			seen[ph.Type] = true
			duties = append(duties, orderDuties[ph.Type])
		}
	}
	duties = append(duties,
		"按上表日期配合完成核酸检测，检测由工作人员上门或在隔离场所采样；",
		"每日早晚各测量一次体温，如出现发热、干咳、乏力、咽痛、嗅（味）觉减退、腹泻等症状，立即报告；",
		"管控期满且解除条件满足后，由管控责任单位出具解除通知；",
		"拒不执行管控措施的，依照《中华人民共和国传染病防治法》《中华人民共和国治安管理处罚法》等法律法规追究法律责任。")
	for i, s := range duties {
		doc.TextBlock(pdf.BodySize, fmt.Sprintf("%d. %s", i+1, s))
	}

	doc.Space(18)
	doc.TextBlock(pdf.BodySize, "被管控人（或监护人）签字：＿＿＿＿＿＿＿＿　　　　日期：＿＿＿＿年＿＿月＿＿日")
	doc.Space(12)
	doc.TextBlock(pdf.BodySize, place(o.Jurisdiction)+"新冠肺炎疫情防控指挥部（盖章）")
	doc.TextBlock(pdf.BodySize, o.CreatedAt.In(chinaTime).Format("2006年01月02日"))
	doc.Space(12)
	footer := "生成时间：" + when(d.Generated) + "（北京时间）"
	if d.GeneratedBy != "" {
		footer += "　　生成人：" + d.GeneratedBy
	}
	doc.TextBlock(pdf.TableSize, footer)
	_, err := doc.WriteTo(w)
	return err
}
