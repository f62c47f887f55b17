package report

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"cordon"
	"cordon/internal/pdf"
)

// AssistTitle is the title of an assist letter.
const AssistTitle = "协查函"

// AssistData is what an assist letter shows: the request with its people
// as the reader may see them, the names of places, and who generated it
// when.
type AssistData struct {
	Request cordon.AssistRequest
	// Place names a jurisdiction code; the code itself is printed when it
	// returns "".
	Place       func(code string) string
	Generated   time.Time
	GeneratedBy string
}

var assistStatusLabels = map[string]string{
	string(cordon.AssistPending): "待核查", string(cordon.AssistLocated): "已落位", string(cordon.AssistContacted): "已联系",
	string(cordon.AssistTested): "已检测", string(cordon.AssistControlled): "已管控", string(cordon.AssistNotFound): "查无此人",
	string(cordon.AssistMovedOn): "已离开，转协查",
}

var assistSourceLabels = map[string]string{
	string(cordon.AssistBigData): "大数据推送", string(cordon.AssistSelfReport): "自主申报", string(cordon.AssistScreening): "基层排查",
	string(cordon.AssistCheckpoint): "卡点查验", string(cordon.AssistHub): "交通场站", string(cordon.AssistInvestigation): "流行病学调查",
	string(cordon.AssistForward): "转协查",
}

// WriteAssistLetter writes an assist letter (协查函) on A4: its number,
// to and from, the reason, the table of people with where each stands,
// the 24-hour request, the contact line, the date and the stamp area.
func WriteAssistLetter(w io.Writer, d AssistData) error {
	r := d.Request
	place := func(code string) string {
		if d.Place != nil {
			if p := d.Place(code); p != "" {
				return p
			}
		}
		return code
	}
	doc := pdf.New()
	doc.Title = AssistTitle + " " + r.Number
	doc.Subject = AssistTitle
	doc.Author = r.SenderName
	doc.Created = d.Generated

	doc.Heading(1, AssistTitle)
	doc.Center(pdf.BodySize, r.Number)
	doc.Space(6)
	doc.TextBlock(pdf.BodySize, place(r.Target)+"新冠肺炎疫情防控指挥部：")
	doc.Paragraph(fmt.Sprintf("因%s，经%s排查，下列 %d 名人员现在（或户籍在）贵辖区，请协助落实核查、落位、核酸检测和管控措施，"+
		"并于收函后24小时内将核查结果反馈我单位。", r.Reason, label(assistSourceLabels, string(r.Source)), len(r.People)))
	rows := make([][]string, len(r.People))
	for i, p := range r.People {
		where := place(p.Current)
		if p.Residence != "" && p.Residence != p.Current {
			where += "（户籍 " + place(p.Residence) + "）"
		}
		status := label(assistStatusLabels, string(p.Status))
		if p.ForwardedTarget != "" {
			status += "：" + place(p.ForwardedTarget)
		}
		rows[i] = []string{strconv.Itoa(p.Pos), p.Name, p.IDNumber, or(p.Phone), where, or(p.Note), status}
	}
	doc.Table([]pdf.Column{{Title: "序号", Width: 1}, {Title: "姓名", Width: 1.8}, {Title: "证件号码", Width: 3.6}, {Title: "手机号码", Width: 2.6},
		{Title: "现住地", Width: 4}, {Title: "协查原因", Width: 3.2}, {Title: "核查状态", Width: 2}}, rows)
	doc.Space(6)
	kvs := []pdf.KV{{Key: "信息来源", Value: label(assistSourceLabels, string(r.Source))}, {Key: "发函单位", Value: r.SenderName}}
	if r.Contact != "" {
		kvs = append(kvs, pdf.KV{Key: "联系人及电话", Value: r.Contact})
	}
	kvs = append(kvs, pdf.KV{Key: "发函时间", Value: when(r.CreatedAt)}, pdf.KV{Key: "反馈时限", Value: "收函后24小时内"})
	doc.KeyValues(kvs)

	doc.Space(18)
	if !doc.Fits(110) {
		doc.AddPage()
	}
	x := pdf.PageWidth - doc.Margins.Right - 200
	y := doc.Y()
	doc.Rect(x+40, y, 120, 60, 0.5)
	doc.Text(x+70, y+34, pdf.TableSize, "（盖章处）")
	doc.SetY(y + 70)
	doc.TextBlock(pdf.BodySize, r.SenderName+"新冠肺炎疫情防控指挥部（盖章）")
	doc.TextBlock(pdf.BodySize, r.CreatedAt.In(chinaTime).Format("2006年01月02日"))
	doc.Space(12)
	footer := "生成时间：" + when(d.Generated) + "（北京时间）"
	if d.GeneratedBy != "" {
		footer += "　　生成人：" + d.GeneratedBy
	}
	doc.TextBlock(pdf.TableSize, footer)
	_, err := doc.WriteTo(w)
	return err
}
