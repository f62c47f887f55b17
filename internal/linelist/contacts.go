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
