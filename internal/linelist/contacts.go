package linelist

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"cordon"
)

// ContactHeadings are the columns of a contact line list (密接一览表).
var ContactHeadings = []string{"密接编号", "姓名", "证件号码", "联系电话", "类别", "状态", "责任辖区", "同户", "暴露来源", "接触方式",
	"首次暴露时间", "末次暴露时间", "判定时间", "管控时间", "转为病例", "预计解除日期", "备注"}

var contactWords = map[string]string{
	string(cordon.CloseContact): "密切接触者", string(cordon.SecondaryContact): "密接的密接",
	string(cordon.ContactIdentified): "已判定", string(cordon.ContactControlled): "已管控",
	string(cordon.ContactReleased): "已解除", string(cordon.ContactBecameCase): "转为病例",
}

// contactRow is a contact as the cells of its row; place names a
// jurisdiction. The sources and situations of its active exposures are
// joined with "；".
func contactRow(c cordon.Contact, place func(string) string) []string {
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cordon.ChinaTime).Format("2006-01-02 15:04")
	}
	var sources, situations []string
	for _, e := range c.ActiveExposures() {
		if e.Kind == cordon.SecondaryContact {
			sources = append(sources, "密接#"+strconv.FormatInt(e.SourceContact, 10))
		} else {
			sources = append(sources, "病例#"+strconv.FormatInt(e.SourceCase, 10))
		}
		situations = append(situations, e.Situation.Chinese())
	}
	becameCase, until := "", ""
	if c.CaseID != 0 {
		becameCase = "病例#" + strconv.FormatInt(c.CaseID, 10)
	}
	if c.Control != nil {
		until = c.Control.Until
	}
	return []string{strconv.FormatInt(c.ID, 10), c.Name, c.IDNumber, c.Phone, contactWords[string(c.Kind)], contactWords[string(c.Status)],
		place(c.Jurisdiction), c.Household, strings.Join(sources, "；"), strings.Join(situations, "；"),
		at(c.FirstExposure), at(c.LastExposure), at(c.IdentifiedAt), at(c.ControlledAt), becameCase, until, c.Note}
}

// WriteContacts writes a contact line list in the format, as the caller
// prepared the contacts (masked or not).
func WriteContacts(w io.Writer, format string, contacts []cordon.Contact, place func(string) string) error {
	return writeTable(w, format, "密接一览表", ContactHeadings, len(contacts), func(i int) []string { return contactRow(contacts[i], place) })
}

// writeTable writes n rows under the headings as CSV (UTF-8 with a byte
// order mark, CRLF) or as one streamed XLSX sheet.
func writeTable(w io.Writer, format, sheet string, headings []string, n int, row func(int) []string) error {
	switch format {
	case CSV:
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		if err := cw.Write(headings); err != nil {
			return err
		}
		for i := range n {
			if err := cw.Write(row(i)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case XLSX:
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		put := func(r int, cells []string) error {
			vals := make([]any, len(cells))
			for i, s := range cells {
				vals[i] = s
			}
			cell, err := excelize.CoordinatesToCellName(1, r)
			if err != nil {
				return err
			}
			return sw.SetRow(cell, vals)
		}
		if err := put(1, headings); err != nil {
			return err
		}
		for i := range n {
			if err := put(i+2, row(i)); err != nil {
				return fmt.Errorf("linelist: row %d: %w", i+2, err)
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.Write(w)
	}
	return cordon.Errorf(cordon.KindInvalid, "linelist.format", "the format is csv or xlsx").WithField("format", "linelist.format")
}

// ContactColumns are the columns a contact line list is read with: who
// (name, ID number, phone), the source (病例#12, 密接#5 or a case number
// alone) and how (接触方式), when, where and with whom they live. The
// export's columns read back, so a list exported from cordon imports as
// it is; 密接编号, 状态 and the times of identification and control are not
// read: an imported contact is identified by the import.
var ContactColumns = []Column{
	{Key: "name", Headings: []string{"姓名", "name", "密接姓名"}, Required: true},
	{Key: "id_number", Headings: []string{"证件号码", "id_number", "ID number", "身份证号", "身份证号码", "公民身份号码"}},
	{Key: "doc_type", Headings: []string{"证件类型", "doc_type", "document type"}},
	{Key: "phone", Headings: []string{"联系电话", "phone", "mobile", "手机号码", "手机号", "电话"}},
	{Key: "kind", Headings: []string{"类别", "kind", "密接类别", "人员类别"}},
	{Key: "source", Headings: []string{"暴露来源", "source", "来源病例", "病例编号", "关联病例"}, Required: true},
	{Key: "situation", Headings: []string{"接触方式", "situation", "接触类型", "暴露方式"}, Required: true},
	{Key: "first_exposure", Headings: []string{"首次暴露时间", "first_exposure", "first exposure", "首次接触时间"}, Date: true},
	{Key: "last_exposure", Headings: []string{"末次暴露时间", "last_exposure", "last exposure", "末次接触时间", "最后接触时间"}, Required: true, Date: true},
	{Key: "jurisdiction", Headings: []string{"责任辖区", "jurisdiction", "responsible jurisdiction", "所在辖区", "现住辖区"}},
	{Key: "household", Headings: []string{"同户", "household", "户"}},
	{Key: "note", Headings: []string{"备注", "note"}},
}

// ContactSource is one source a cell of 暴露来源 names.
type ContactSource struct {
	Case    int64 // 病例#12, or a number alone
	Contact int64 // 密接#5
}

// ContactSources reads a 暴露来源 cell: sources separated by "；", ";",
// "、" or ",", each 病例#12 (case #12), 密接#5 (contact #5) or a case
// number alone. ok is false when a part names no source.
func ContactSources(s string) (out []ContactSource, ok bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '；' || r == ';' || r == '、' || r == ',' || r == '，' })
	for _, p := range parts {
		p = strings.TrimSpace(p)
		var src ContactSource
		target := &src.Case
		lower := strings.ToLower(p)
		for _, pre := range []string{"密接", "contact", "次密接"} {
			if strings.HasPrefix(lower, pre) {
				target, p = &src.Contact, p[len(pre):]
				break
			}
		}
		for _, pre := range []string{"病例", "case"} {
			if strings.HasPrefix(lower, pre) {
				p = p[len(pre):]
				break
			}
		}
		p = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(p), "#＃ "))
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n <= 0 {
			return nil, false
		}
		*target = n
		out = append(out, src)
	}
	return out, len(out) > 0
}

// Situations reads a 接触方式 cell: situations separated like sources,
// each in Chinese as the export writes it (同住, 共同就餐…) or as a code
// (household). A word it does not know comes back as it is, for
// validation to refuse.
func Situations(s string) []cordon.Situation {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '；' || r == ';' || r == '、' || r == ',' || r == '，' })
	out := make([]cordon.Situation, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		sit := cordon.Situation(strings.ToLower(p))
		for _, x := range cordon.Situations {
			if x.Chinese() == p || strings.EqualFold(string(x), p) {
				sit = x
			}
		}
		out = append(out, sit)
	}
	return out
}

// ContactKindOf reads a 类别 cell: 密切接触者 (密接) or 密接的密接 (次密接),
// or a code; "" for an empty cell, the cell itself for a word it does not
// know.
func ContactKindOf(s string) cordon.ContactKind {
	switch strings.TrimSpace(strings.ToLower(s)) {
	case "":
		return ""
	case "密切接触者", "密接", "close", "close contact":
		return cordon.CloseContact
	case "密接的密接", "次密接", "次密切接触者", "secondary", "secondary contact":
		return cordon.SecondaryContact
	}
	return cordon.ContactKind(s)
}
