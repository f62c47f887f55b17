// Package linelist writes and reads line lists (一览表) as the files people
// exchange: CSV (UTF-8 with a byte order mark, so that Excel opens it in
// Chinese) and XLSX, one row a record. It writes case line lists with
// Chinese headings, and reads any line list whose columns a caller
// describes (Read), with Chinese or English headings and an error for each
// row that cannot be read, which is what the imports of internal/app build
// on.
package linelist

import (
	"io"
	"strconv"
	"strings"

	"cordon"
)

// Formats a line list is written in.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// ContentType is the media type of a format.
func ContentType(format string) string {
	if format == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// CaseHeadings are the columns of a case line list.
var CaseHeadings = []string{"病例编号", "姓名", "证件号码", "病例分类", "临床分型", "发病日期", "采样日期", "毒株", "分支",
	"收治医院", "转归", "感染来源", "责任辖区", "发现时间", "报告时间"}

// CaseColumns are the columns a case line list is read with: the identity
// of the person (name and document, phone, where they live) and the case
// fields of the export, under its Chinese headings or English ones. The
// export's 病例编号 and 报告时间 are not read: an imported case gets its own
// number, and opening it in cordon is its report.
var CaseColumns = []Column{
	{Key: "name", Headings: []string{"姓名", "name", "患者姓名", "病例姓名"}, Required: true},
	{Key: "id_number", Headings: []string{"证件号码", "id_number", "ID number", "id_no", "身份证号", "身份证号码", "公民身份号码", "document number"}, Required: true},
	{Key: "doc_type", Headings: []string{"证件类型", "doc_type", "document type"}},
	{Key: "phone", Headings: []string{"手机号码", "phone", "mobile", "手机号", "联系电话", "电话"}},
	{Key: "place", Headings: []string{"现住辖区", "place", "current place", "辖区", "所在辖区", "现住地"}},
	{Key: "address", Headings: []string{"现住址", "address", "住址", "详细地址", "地址"}},
	{Key: "classification", Headings: []string{"病例分类", "classification", "分类"}, Required: true},
	{Key: "severity", Headings: []string{"临床分型", "severity", "clinical type", "分型"}},
	{Key: "onset_date", Headings: []string{"发病日期", "onset_date", "onset date", "onset"}, Date: true},
	{Key: "sampling_date", Headings: []string{"采样日期", "sampling_date", "sampling date"}, Date: true},
	{Key: "variant", Headings: []string{"毒株", "variant"}},
	{Key: "lineage", Headings: []string{"分支", "lineage", "进化分支"}},
	{Key: "hospital", Headings: []string{"收治医院", "hospital", "医院"}},
	{Key: "outcome", Headings: []string{"转归", "outcome"}},
	{Key: "origin", Headings: []string{"感染来源", "origin", "来源"}},
	{Key: "jurisdiction", Headings: []string{"责任辖区", "jurisdiction", "responsible jurisdiction"}},
	{Key: "detected_at", Headings: []string{"发现时间", "detected_at", "detected at", "detected", "检出时间"}, Date: true},
}

var words = map[string]string{
	string(cordon.Confirmed): "确诊病例", string(cordon.Asymptomatic): "无症状感染者", string(cordon.Suspected): "疑似病例",
	string(cordon.Mild): "轻型", string(cordon.Moderate): "普通型", string(cordon.Severe): "重型", string(cordon.Critical): "危重型",
	string(cordon.Recovered): "治愈", string(cordon.Deceased): "死亡",
	string(cordon.Local): "本土", string(cordon.Imported): "境外输入",
}

func word(s string) string {
	if w, ok := words[s]; ok {
		return w
	}
	return s
}

// caseRow is a case as the cells of its row; place names a jurisdiction.
func caseRow(c cordon.Case, place func(string) string) []string {
	at := func(t interface{ IsZero() bool }) bool { return !t.IsZero() }
	detected, reported := "", ""
	if at(c.DetectedAt) {
		detected = c.DetectedAt.In(cordon.ChinaTime).Format("2006-01-02 15:04")
	}
	if at(c.ReportedAt) {
		reported = c.ReportedAt.In(cordon.ChinaTime).Format("2006-01-02 15:04")
	}
	return []string{strconv.FormatInt(c.ID, 10), c.Name, c.IDNumber, word(string(c.Classification)), word(string(c.Severity)),
		c.OnsetDate, c.SamplingDate, c.Variant, c.Lineage, c.Hospital, word(string(c.Outcome)), word(string(c.Origin)),
		place(c.Jurisdiction), detected, reported}
}

// WriteCases writes a case line list in the format.
func WriteCases(w io.Writer, format string, cases []cordon.Case, place func(string) string) error {
	return writeTable(w, format, "病例一览表", CaseHeadings, len(cases), func(i int) []string { return caseRow(cases[i], place) })
}

// ChainHeadings head the export of a transmission chain: no personal data,
// the cases by number.
var ChainHeadings = []string{"病例编号", "病例分类", "责任辖区", "发现时间", "代际", "传染来源", "续发病例数", "密接人数", "超级传播者"}

// ChainCase is a case of an exported chain with its infectors described.
type ChainCase struct {
	Node      cordon.ChainNode
	Place     cordon.CasePlace
	Infectors []cordon.Link // links into the case
}

// WriteChain writes one cluster's cases in the format: generation,
// infectors with confidence and evidence, secondary cases, contacts.
func WriteChain(w io.Writer, format string, cases []ChainCase, place func(string) string) error {
	return writeTable(w, format, "传播链", ChainHeadings, len(cases), func(i int) []string {
		c := cases[i]
		var from []string
		for _, l := range c.Infectors {
			s := "病例" + strconv.FormatInt(l.From, 10) + "（" + confidenceWords[l.Confidence] + "）"
			if l.Evidence != "" {
				s += l.Evidence
			}
			from = append(from, s)
		}
		detected := ""
		if !c.Node.DetectedAt.IsZero() {
			detected = c.Node.DetectedAt.In(cordon.ChinaTime).Format("2006-01-02 15:04")
		}
		super := ""
		if c.Place.Superspreader {
			super = "是"
		}
		return []string{strconv.FormatInt(c.Node.ID, 10), word(string(c.Node.Classification)), place(c.Node.Jurisdiction), detected,
			strconv.Itoa(c.Place.Generation), strings.Join(from, "；"), strconv.Itoa(c.Place.Secondary), strconv.Itoa(c.Place.Contacts), super}
	})
}

var confidenceWords = map[cordon.Confidence]string{cordon.LinkConfirmed: "确定", cordon.LinkProbable: "很可能", cordon.LinkPossible: "可能"}
