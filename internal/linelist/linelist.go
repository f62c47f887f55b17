// Package linelist writes line lists (一览表) of cases as the files people
// exchange: CSV (UTF-8 with a byte order mark, so that Excel opens it in
// Chinese) and XLSX, one row a case, Chinese headings.
package linelist

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

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
	switch format {
	case CSV:
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true // Excel's line ends
		if err := cw.Write(CaseHeadings); err != nil {
			return err
		}
		for _, c := range cases {
			if err := cw.Write(caseRow(c, place)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case XLSX:
		f := excelize.NewFile()
		defer f.Close()
		const sheet = "病例一览表"
		if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		row := func(n int, cells []string) error {
			vals := make([]any, len(cells))
			for i, s := range cells {
				vals[i] = s
			}
			cell, err := excelize.CoordinatesToCellName(1, n)
			if err != nil {
				return err
			}
			return sw.SetRow(cell, vals)
		}
		if err := row(1, CaseHeadings); err != nil {
			return err
		}
		for i, c := range cases {
			if err := row(i+2, caseRow(c, place)); err != nil {
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
