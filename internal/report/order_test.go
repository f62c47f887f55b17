package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"cordon"
)

// A cn-9 close contact's notice names the edition and lays out both
// phases with their test days by day number.
func TestOrderNoticeText(t *testing.T) {
	cn9, _ := cordon.Edition("cn-9")
	plan, err := cordon.ControlPlan(cn9, cordon.PopulationCloseContact, at("2022-02-04", "20:00"))
	if err != nil {
		t.Fatal(err)
	}
	o := cordon.ControlOrder{ID: 12, PersonID: 3, Name: "韦某某", IDNumber: "4510****002X", Basis: cordon.BasisContact,
		Population: cordon.PopulationCloseContact, Edition: "cn-9", LastExposure: at("2022-02-04", "20:00"), Status: cordon.OrderActive,
		Jurisdiction: "451024", CreatedAt: at("2022-02-05", "10:00")}
	o.SetPhases(plan)
	var buf bytes.Buffer
	err = WriteOrder(&buf, OrderData{Order: o, Edition: cn9, Generated: at("2022-02-05", "11:00"), GeneratedBy: "epi",
		Place: func(code string) string {
			return map[string]string{"451024": "广西壮族自治区百色市德保县"}[code]
		}})
	if err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, buf.Bytes())
	for _, want := range []string{
		OrderTitle, "管控〔2022〕第 12 号", "韦某某（证件号码 4510****002X）",
		"第九版防控方案", "（cn-9）", "您为密切接触者",
		"集中隔离医学观察", "2022-02-05 至 2022-02-11", "7 天", "居家健康监测", "2022-02-12 至 2022-02-14", "3 天",
		"第1天（02-05）、第2天（02-06）、第3天（02-07）、第5天（02-09）、第7天（02-11）", "第10天（02-14）",
		"管控期限 2022-02-05 至 2022-02-14", "末次暴露时间 2022-02-04 20:00", "广西壮族自治区百色市德保县", "管控中",
		"被管控人（或监护人）签字", "新冠肺炎疫情防控指挥部（盖章）", "2022年02月05日", "生成时间：2022-02-05 11:00",
	} {
		if !strings.Contains(flat(text), flat(want)) {
			t.Errorf("the notice lacks %q:\n%s", want, text)
		}
	}
	// Released early, with the reason printed.
	o.Status, o.ReleaseKind, o.ReleaseReason, o.ReleasedAt = cordon.OrderReleased, cordon.ReleaseEarly, "经专家研判提前解除", at("2022-02-09", "15:00")
	buf.Reset()
	if err := WriteOrder(&buf, OrderData{Order: o, Edition: cn9, Generated: at("2022-02-09", "16:00")}); err != nil {
		t.Fatal(err)
	}
	text = pdftotext(t, buf.Bytes())
	for _, want := range []string{"已解除", "2022-02-09 15:00 提前解除：经专家研判提前解除"} {
		if !strings.Contains(flat(text), flat(want)) {
			t.Errorf("the released notice lacks %q:\n%s", want, text)
		}
	}
	// Hospital isolation is a notice of treatment, open-ended.
	h := cordon.ControlOrder{ID: 13, Name: "黄某", Basis: cordon.BasisCase, Status: cordon.OrderActive, Jurisdiction: "451024", CreatedAt: at("2022-02-08", "10:00")}
	h.SetPhases([]cordon.ControlPhase{{Type: cordon.HospitalIsolation, FirstDay: "2022-02-08"}})
	buf.Reset()
	if err := WriteOrder(&buf, OrderData{Order: h, Generated: time.Time{}}); err != nil {
		t.Fatal(err)
	}
	text = pdftotext(t, buf.Bytes())
	for _, want := range []string{OrderTitleHospital, "定点医院隔离治疗", "2022-02-08 起", "您为新冠病毒感染者"} {
		if !strings.Contains(flat(text), flat(want)) {
			t.Errorf("the hospital notice lacks %q:\n%s", want, text)
		}
	}
}

// flat drops the spaces pdftotext puts where a line wrapped.
func flat(s string) string { return strings.ReplaceAll(s, " ", "") }
