package report

import (
	"bytes"
	"strings"
	"testing"

	"cordon"
)

func TestAssistLetter(t *testing.T) {
	r := cordon.AssistRequest{Number: "百色协查〔2022〕第0012号", Sender: "451000", SenderName: "百色市", Target: "450102",
		Reason: "与确诊病例同乘G5411次列车", Source: cordon.AssistBigData, Contact: "百色市疾控中心 0776-2822222", CreatedAt: at("2022-02-06", "10:30"),
		People: []cordon.AssistPerson{
			{Pos: 1, Name: "黄某某", IDNumber: "4510****002X", Phone: "139****0001", Current: "450102", Note: "同车厢", Status: cordon.AssistControlled},
			{Pos: 2, Name: "李某", IDNumber: "4501****0011", Current: "450102", Residence: "451024", Status: cordon.AssistMovedOn, ForwardedTarget: "450103"},
		}}
	var buf bytes.Buffer
	place := map[string]string{"450102": "南宁市兴宁区", "451024": "百色市德保县", "450103": "南宁市青秀区"}
	if err := WriteAssistLetter(&buf, AssistData{Request: r, Place: func(c string) string { return place[c] }, Generated: at("2022-02-06", "11:00"), GeneratedBy: "baise_epi"}); err != nil {
		t.Fatal(err)
	}
	text := pdftotext(t, buf.Bytes())
	for _, want := range []string{
		AssistTitle, "百色协查〔2022〕第0012号", "南宁市兴宁区新冠肺炎疫情防控指挥部：", "因与确诊病例同乘G5411次列车，经大数据推送排查，下列 2 名人员",
		"24小时内", "黄某某", "4510****002X", "已管控", "南宁市兴宁区（户籍 百色市德保县）", "已离开，转协查：南宁市青秀区",
		"联系人及电话 百色市疾控中心 0776-2822222", "百色市新冠肺炎疫情防控指挥部（盖章）", "2022年02月06日", "（盖章处）", "生成人：baise_epi",
	} {
		if !strings.Contains(flat(text), flat(want)) {
			t.Errorf("the letter lacks %q:\n%s", want, text)
		}
	}
}
