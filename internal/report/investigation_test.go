package report

import (
	"bytes"
	"cordon/internal/testtool"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cordon"
)

// pdftotext extracts the text of a PDF with poppler's pdftotext, spaces
// collapsed. Without the tool the test is skipped loudly, except under CI,
// where it must run.
func pdftotext(t *testing.T, data []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(testtool.Run(t, "pdftotext", "-enc", "UTF-8", file, "-")), " ")
}

func at(day string, hm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, cordon.ChinaTime)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// debaoIndex is the investigation of a case like Debao's index case: home
// from Shenzhen by car on 27 January, a banquet, found on 4 February.
func debaoIndex() InvestigationData {
	c := cordon.Case{ID: 7, Name: "黄某某", IDNumber: "4510****1234", Classification: cordon.Confirmed, Severity: cordon.Mild,
		OnsetDate: "2022-02-03", SamplingDate: "2022-02-04", Variant: "Omicron", Lineage: "BA.1", Origin: cordon.Local,
		Jurisdiction: "451024", DetectedAt: at("2022-02-04", "20:00"), ReportedAt: at("2022-02-04", "21:00")}
	inv := cordon.Investigation{CaseID: 7, Status: cordon.InvestigationSubmitted, Investigators: "德保县疾控中心 李某、韦某",
		Occupation: "个体经营", Workplace: "深圳市宝安区石岩街道某厂", VaccineDoses: 2,
		Household: []cordon.HouseholdMember{{Name: "黄某", Relation: "父亲", Age: 62, Phone: "139****0001", Tested: true}},
		Symptoms:  []cordon.Symptom{{Code: "fever", Since: "2022-02-03", Note: "37.8℃"}},
		Tests: []cordon.TestRecord{{Date: "2022-01-25", Place: "深圳市宝安区石岩街道", Result: "negative"},
			{Date: "2022-02-04", Place: "德保县返乡人员筛查点", Result: "positive", CtORF1ab: 24.5, CtN: 22.1}},
		Itinerary: []cordon.ItineraryEntry{
			{From: at("2022-01-26", "22:00"), To: at("2022-01-27", "09:30"), Place: "广昆高速服务区", Activity: "驾车返乡，途中停留用餐",
				Transport: cordon.Transport{Mode: cordon.ModeCar, Vehicle: "桂L·12345"}, Companions: []cordon.ItineraryCompanion{{Name: "黄某"}}},
			{From: at("2022-01-29", "11:30"), To: at("2022-01-29", "14:00"), Place: "都安乡福记村", VenueID: 3, VenueName: "福记村宴席", Activity: "参加宴席",
				Companions: []cordon.ItineraryCompanion{{Name: "韦某"}, {PersonID: 41}}},
		},
		HomeDays:    []string{"2022-01-28"},
		Exposures:   []cordon.Exposure{{Kind: "risk_area", Date: "2022-01-26", Description: "自深圳市宝安区返回"}},
		Source:      cordon.Source{Kind: cordon.SourceImported, Origin: "广东省深圳市", Reasoning: "返乡前居住地有本土病例。"},
		SubmittedAt: at("2022-02-05", "10:00"), Version: 3}
	inv.Window = cordon.InvestigationWindow(c, "", 14, "gx-2022-01")
	inv.Warnings = inv.Warn(inv.Window)
	return InvestigationData{Case: c, Investigation: inv, Generated: at("2022-02-05", "11:00"), GeneratedBy: "epi",
		Place: func(code string) string {
			return map[string]string{"451024": "广西壮族自治区百色市德保县"}[code]
		}}
}

func TestInvestigationReportText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteInvestigation(&buf, debaoIndex()); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", buf.Bytes()[:20])
	}
	text := pdftotext(t, buf.Bytes())
	for _, want := range []string{
		InvestigationTitle,
		"病例编号 #7",
		"一、基本情况", "二、同住人员", "三、临床表现", "四、检测经过", "五、活动轨迹", "六、暴露史", "七、可能的感染来源",
		"确诊病例（轻型）", "Omicron BA.1", "广西壮族自治区百色市德保县", "德保县疾控中心 李某、韦某",
		"4510****1234", "139****0001", "发热", "24.5",
		"调查时段：2022-01-20 至 2022-02-04",
		// The itinerary, day by day.
		"2022-01-26 22:00–01-27 09:30 广昆高速服务区", "自驾/私家车 桂L·12345",
		"2022-01-27 - 续前日第 1 条记录", "2022-01-28 全天 居家，未外出",
		"2022-01-29 11:30–14:00 都安乡福记村", "参加宴席", "韦某、人员编号 41",
		"2022-01-30 - （未调查）",
		"输入性感染", "广东省深圳市", "返乡前居住地有本土病例。",
		"报告生成时间：2022-02-05 11:00（北京时间）",
		"第 1 页",
	} {
		want = strings.ReplaceAll(want, " - ", " — ")
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", text)
	}
}

// A report of a case whose investigation has not begun still prints: every
// day is marked as not investigated.
func TestInvestigationReportEmpty(t *testing.T) {
	d := debaoIndex()
	d.Investigation = cordon.Investigation{CaseID: 7, Status: cordon.InvestigationDraft, Window: d.Investigation.Window}
	var buf bytes.Buffer
	if err := WriteInvestigation(&buf, d); err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, buf.Bytes())
	for _, want := range []string{"草稿（未提交）", "无同住人员记录。", "2022-01-20 — （未调查）", "2022-02-04 — （未调查）", "判定 —"} {
		if !strings.Contains(text, want) {
			t.Errorf("the empty report lacks %q\n%s", want, text)
		}
	}
}
