package linelist

import (
	"io"
	"strconv"

	"cordon"
)

// AssistColumns are the columns an assist list is read with: who (name
// and document, phone), where they are now and where they live as
// division codes, where they went, and why they are listed.
var AssistColumns = []Column{
	{Key: "name", Headings: []string{"姓名", "name"}, Required: true},
	{Key: "id_number", Headings: []string{"证件号码", "id_number", "ID number", "身份证号", "身份证号码", "公民身份号码"}, Required: true},
	{Key: "doc_type", Headings: []string{"证件类型", "doc_type", "document type"}},
	{Key: "phone", Headings: []string{"手机号码", "phone", "mobile", "手机号", "联系电话", "电话"}},
	{Key: "current", Headings: []string{"现住辖区代码", "current", "现住地代码", "现所在地代码", "所在辖区代码"}},
	{Key: "residence", Headings: []string{"户籍辖区代码", "residence", "户籍地代码", "居住地代码"}},
	{Key: "places", Headings: []string{"途经地点", "places", "活动轨迹", "旅居史"}},
	{Key: "note", Headings: []string{"协查原因", "note", "reason", "备注", "原因"}},
}

// AssistHeadings head the people of an assist letter as exported.
var AssistHeadings = []string{"协查函编号", "序号", "姓名", "证件号码", "手机号码", "户籍地", "现住地", "途经地点", "协查原因", "网格",
	"核查状态", "截止时间", "落位时间", "联系时间", "检测时间", "管控时间", "办结时间", "反馈说明", "反馈人", "转协查至"}

// AssistStatusNames are the Chinese words of the statuses.
var AssistStatusNames = map[cordon.AssistStatus]string{
	cordon.AssistPending: "待核查", cordon.AssistLocated: "已落位", cordon.AssistContacted: "已联系", cordon.AssistTested: "已检测",
	cordon.AssistControlled: "已管控", cordon.AssistNotFound: "查无此人", cordon.AssistMovedOn: "已离开（转协查）",
}

// WriteAssist writes the people of a request, as the caller prepared
// them (masked or not), in the format; place names a jurisdiction.
func WriteAssist(w io.Writer, format string, r cordon.AssistRequest, place func(string) string) error {
	return writeTable(w, format, "协查人员", AssistHeadings, len(r.People), func(i int) []string {
		p := r.People[i]
		return []string{r.Number, strconv.Itoa(p.Pos), p.Name, p.IDNumber, p.Phone, place(p.Residence), place(p.Current), p.Places, p.Note,
			p.Grid, AssistStatusNames[p.Status], stamp(p.DueAt), stamp(p.LocatedAt), stamp(p.ContactedAt), stamp(p.TestedAt),
			stamp(p.ControlledAt), stamp(p.ClosedAt), p.StatusNote, p.UpdatedBy, place(p.ForwardedTarget)}
	})
}
