package pdf

import (
	"fmt"
	"time"

	"cordon/internal/qrcode"
)

// report builds a long investigation report like the one cordon prints: a
// title, key facts, paragraphs in Chinese and Latin, and a contact table of
// rows rows.
func report(rows int) *Document {
	d := New()
	d.Title = "德保县 流行病学调查报告"
	d.Author = "德保县疾病预防控制中心"
	d.Created = time.Date(2022, 2, 9, 15, 30, 0, 0, time.FixedZone("CST", 8*3600))
	d.Heading(1, "德保县 流行病学调查报告")
	d.TextBlock(BodySize, "报告编号 DB-2022-0209-001　　报告时间 2022-02-09 15:30")
	d.Heading(2, "一、基本情况")
	d.KeyValues([]KV{
		{"姓名", "黄某某"},
		{"身份证号", "451024********0021"},
		{"现住址", "广西壮族自治区百色市德保县都安乡福记村陇意屯"},
		{"发病日期", "2022-02-03"},
		{"报告类型", "确诊病例（普通型），Omicron BA.2 variant confirmed by sequencing at the regional CDC laboratory"},
	})
	d.Heading(2, "二、流行病学史")
	d.Paragraph("病例于2022年1月28日至2月3日期间在德保县城关镇居住，其间多次前往农贸市场、超市等公共场所。" +
		"2月1日晚参加家庭聚餐（约12人），2月2日乘坐班车（桂L·12345）往返都安乡。" +
		"The case reported no travel outside Baise in the 14 days before onset; samples were taken on 2022-02-04 and tested positive (Ct ORF1ab 24.5, N 22.1).\n" +
		"经调查，共判定密切接触者" + fmt.Sprint(rows) + "人，均已落实集中隔离医学观察措施。")
	d.Heading(2, "三、密切接触者名单")
	cells := make([][]string, rows)
	for i := range cells {
		cells[i] = []string{fmt.Sprintf("%03d", i+1), fmt.Sprintf("接触者%03d", i+1), "家庭成员", "2022-02-01 家庭聚餐（同桌共餐，未佩戴口罩）", "集中隔离"}
	}
	d.Table([]Column{{"序号", 1}, {"姓名", 2}, {"关系", 2}, {"末次接触", 5}, {"管控措施", 2}}, cells)
	d.Heading(2, "四、处置措施")
	d.Paragraph("对病例住所及活动场所开展终末消毒；对涉及区域划定封控区、管控区和防范区。")
	return d
}

// poster is a one-page venue-code poster with a QR code.
func poster(text string) (*Document, error) {
	code, err := qrcode.Encode(text)
	if err != nil {
		return nil, err
	}
	d := New()
	d.Title = "场所码"
	d.PageNumbers = false
	d.Heading(1, "德保县城关镇农贸市场 场所码")
	size := 300.0
	d.QR((PageWidth-size)/2, d.Y()+20, size, code)
	d.SetY(d.Y() + size + 40)
	d.TextBlock(14, "进入场所请扫码登记，配合测温、佩戴口罩。")
	return d, nil
}
