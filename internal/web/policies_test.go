package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cordon"
)

func TestPoliciesPage(t *testing.T) {
	e := newEnv(t)
	epi := e.signedIn("debao")
	if home := epi.get("/"); !strings.Contains(home.body, `href="/policies"`) {
		t.Error("the navigation lacks the policies")
	}

	// Today: the national edition of the day, in words.
	now := cordon.NationalEdition(time.Now())
	r := epi.get("/policies")
	must(t, r, http.StatusOK, "德保县", now.Name, `id="in-force"`, "第八版防控方案", "新十条", "没有设置，适用当日的全国方案")
	if strings.Contains(r.body, `id="policy-assign"`) {
		t.Error("an epidemiologist is offered the assignment form")
	}

	// In February 2022 the 8th protocol was in force: 14 + 7 days for close
	// contacts, and secondary contacts were identified.
	r = epi.get("/policies?at=2022-02-05")
	must(t, r, http.StatusOK, "2022-02-05 适用", "第八版防控方案", "2021-05-11 起施行",
		"病例发病（无症状感染者为采样）前 2 天起", "可选天数：2 / 4",
		"集中隔离 14 天，第 1、4、7、14 天核酸检测；之后居家健康监测 7 天，第 2、7 天核酸检测",
		"集中隔离 7 天<", "判定", "本版方案不设此类人员", "扫码记录保存", "28 天", "网络直报", "2 小时")
	// cn-20 dropped secondary contacts and the medium tier.
	r = epi.get("/policies?at=2022-11-20")
	must(t, r, http.StatusOK, "优化防控工作二十条措施", "不再判定", "集中隔离 5 天，第 1、2、3、5 天核酸检测；之后居家隔离 3 天，第 1、3 天核酸检测",
		"居家隔离 7 天，第 1、3、5、7 天核酸检测")

	must(t, epi.get("/policies?at=yesterday"), http.StatusUnprocessableEntity, `id="q-at-error"`, "请按 年-月-日 填写日期")
	must(t, epi.get("/policies?jurisdiction=999"), http.StatusUnprocessableEntity, `id="q-jurisdiction-error"`)
	must(t, epi.get("/policies?jurisdiction=450100"), http.StatusNotFound, `id="q-jurisdiction-error"`, "没有这个区划，或不在您的辖区")
	must(t, epi.post("/policies", url.Values{"jurisdiction": {"451024"}, "from": {"2022-01-18"}, "edition": {"cn-9"}, "reason": {"x"}}), http.StatusForbidden)
}

func TestPolicyAssign(t *testing.T) {
	e := newEnv(t)
	b := e.signedIn("admin")
	r := b.get("/policies?at=2022-02-05")
	must(t, r, http.StatusOK, `id="policy-assign"`, `name="contacts.window_days"`, `<select id="o-arrivals.ordinary_test_mandatory" name="arrivals.ordinary_test_mandatory"`,
		"密接追溯窗口（天）", "现为 否", `<option value="gx-2022-01"`, `name="reason"`)

	// Guangxi's returnee rules for the region, then Nanning's mandatory
	// arrival test on top.
	r = b.post("/policies", url.Values{"jurisdiction": {"450000"}, "from": {"2022-01-18"}, "edition": {"gx-2022-01"}, "reason": {"春运返乡人员管控"}})
	if r.status != http.StatusSeeOther || r.location != "/policies?at=2022-01-18&jurisdiction=450000" {
		t.Fatalf("assign: %d %q\n%s", r.status, r.location, r.body)
	}
	must(t, b.follow(r), http.StatusOK, "防控方案设置已保存", "广西2022年春运返乡人员管控规定", "在第八版防控方案基础上调整", "抵达前报备", "24 小时", "建议")
	b.get("/policies?jurisdiction=450100")
	r = b.post("/policies", url.Values{"jurisdiction": {"450100"}, "from": {"2022-01-20"}, "arrivals.ordinary_test_mandatory": {"true"},
		"contacts.window_days": {""}, "reason": {"南宁市要求来返人员 24 小时内必须核酸检测"}})
	r = b.follow(r)
	must(t, r, http.StatusOK, "南宁市", "一般地区来返人员必须核酸检测 = 是", "必须", "当日适用", "沿用上级版本", "南宁市要求来返人员 24 小时内必须核酸检测")
	must(t, b.get("/policies?jurisdiction=450000&at=2022-02-05"), http.StatusOK, "建议", "下级辖区")
	// Before the assignment the national edition applied.
	must(t, b.get("/policies?jurisdiction=450100&at=2022-01-10"), http.StatusOK, "第八版防控方案")

	// Refusals come back on the form, with what was typed.
	r = b.post("/policies", url.Values{"jurisdiction": {"450100"}, "from": {"2022-02-01"}, "contacts.window_days": {"30"}, "reason": {"试"}})
	must(t, r, http.StatusUnprocessableEntity, "调整的数值超出允许范围", `value="30"`)
	r = b.post("/policies", url.Values{"jurisdiction": {"450100"}, "from": {"2022-02-01"}, "contacts.window_days": {"四"}, "reason": {"试"}})
	must(t, r, http.StatusUnprocessableEntity, `id="contacts.window_days-error"`, "请填写数字")
	r = b.post("/policies", url.Values{"jurisdiction": {"450100"}, "from": {"2月1日"}, "edition": {"cn-9"}, "reason": {""}})
	must(t, r, http.StatusUnprocessableEntity, `id="reason-error"`, "请填写调整的理由")
	r = b.post("/policies", url.Values{"jurisdiction": {"450100"}, "from": {"2月1日"}, "edition": {"cn-99"}, "reason": {"试"}})
	must(t, r, http.StatusUnprocessableEntity, `id="from-error"`, `id="edition-error"`, "生效日期格式应为 YYYY-MM-DD", "没有这个防控方案版本")
	r = b.post("/policies", url.Values{"jurisdiction": {"450100"}, "from": {"2022-02-01"}, "reason": {"试"}})
	must(t, r, http.StatusUnprocessableEntity, "请选择方案版本或填写要调整的数值")
	must(t, b.get("/audit?action=policy.set"), http.StatusOK, "设置防控方案", "gx-2022-01")
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs.String())
	}
}

func TestSwitchPath(t *testing.T) {
	for _, path := range cordon.Overridable() {
		if got, want := switchPath(path), path == "arrivals.ordinary_test_mandatory"; got != want {
			t.Errorf("switchPath(%q) = %v", path, got)
		}
	}
	if switchPath("no.such") || switchPath("contacts") {
		t.Error("a path that names no value is a switch")
	}
}
