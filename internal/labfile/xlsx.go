package labfile

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"cordon"
	"cordon/internal/hl7"
)

// maxUnzipped bounds what a workbook may unpack to. A sheet of a million
// results is about 150 MB of XML; anything far beyond is not a lab export.
// Sheets over excelize's 16 MB default are unpacked to a temporary file
// rather than memory.
const maxUnzipped = 256 << 20

// parseXLSX reads the first sheet of a workbook the way parseCSV reads a
// file. Rows are streamed, so a large sheet is never held whole as strings.
// Cells are read raw, without their number format: a Ct of 24.5 formatted as
// "24.50" or a date shown as "4/1/22 15:04" would otherwise have to be read
// back from the display, which depends on the lab's locale.
func parseXLSX(data []byte) ([]Row, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnzipped})
	if err != nil {
		return nil, badXLSX()
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, badXLSX()
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return nil, badXLSX()
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, badXLSX()
	}
	defer it.Close()

	var (
		rows   []Row
		header headerSearch
	)
	// Next is called once per row number, gaps included, so counting the
	// calls gives the row number Excel shows.
	for line := 1; it.Next(); line++ {
		cells, err := it.Columns()
		if err != nil {
			if !header.found {
				return nil, badXLSX()
			}
			rows = append(rows, Row{Line: line, Raw: strings.Join(cells, "\t"), Err: &RowError{
				Code:    CodeBadRow,
				Message: "the row cannot be read from the workbook",
			}})
			continue
		}
		if blank(cells) {
			continue
		}
		isData, err := header.next(cells)
		if err != nil {
			return nil, err
		}
		if !isData {
			continue
		}
		cols := &header.cols
		if i := cols.index[timeField]; i >= 0 && i < len(cells) {
			cells[i] = excelTime(cells[i], date1904)
		}
		rec := cols.record(cells, line, strings.Join(cells, "\t"))
		rows = append(rows, rec.row())
	}
	if it.Error() != nil {
		return nil, badXLSX()
	}
	if err := header.end(); err != nil {
		return nil, err
	}
	return rows, nil
}

func badXLSX() error {
	return fileError(CodeBadXLSX, "the file is not an Excel workbook (.xlsx) or is damaged; an old .xls file must be saved as .xlsx first")
}

// lastExcelDate is 9999-12-31, the last date Excel shows.
const lastExcelDate = 2958466

// excelTime turns a date cell, which holds a serial number of days, into the
// text a lab's Excel shows: the clock of the lab, China time. Text cells are
// left as they are, and so is a number that cannot be a date, which then
// fails as a time.
func excelTime(cell string, date1904 bool) string {
	serial, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
	if err != nil || !(serial >= 1 && serial < lastExcelDate) {
		return cell
	}
	t, err := excelize.ExcelDateToTime(serial, date1904)
	if err != nil {
		return cell
	}
	return t.Format(time.DateTime)
}

// xlsxHeadings are the column headings WriteXLSX writes, as a Chinese lab
// export has them.
var xlsxHeadings = []any{"条码", "检测结果", "ORF1ab基因Ct值", "N基因Ct值", "检测时间"}

// outcomeWords are the result words WriteXLSX writes.
var outcomeWords = map[hl7.Outcome]string{
	hl7.Positive:       "阳性",
	hl7.Negative:       "阴性",
	hl7.PooledPositive: "混管阳性",
	hl7.PooledNegative: "混管阴性",
	hl7.Invalid:        "无效",
}

// WriteXLSX writes rows as a Chinese lab's Excel export: headings 条码,
// 检测结果, ORF1ab基因Ct值, N基因Ct值 and 检测时间, result words, Ct values as
// numbers (blank when 0) and times as date cells on China time. Parse reads
// it back; the demo and the benchmarks use it to make uploads. An outcome
// with no Chinese word (Unknown) is written as it is, and reads back as a bad
// result.
func WriteXLSX(w io.Writer, rows []Row) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "检测结果"
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return err
	}
	timeFormat := "yyyy-mm-dd hh:mm:ss"
	timeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &timeFormat})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", xlsxHeadings); err != nil {
		return err
	}
	cells := make([]any, len(xlsxHeadings))
	for i, r := range rows {
		result, ok := outcomeWords[r.Outcome]
		if !ok {
			result = string(r.Outcome)
		}
		cells[0], cells[1], cells[2], cells[3], cells[4] = r.Barcode, result, ctCell(r.CtORF1ab), ctCell(r.CtN), nil
		if !r.Observed.IsZero() {
			cells[4] = excelize.Cell{StyleID: timeStyle, Value: r.Observed.In(cordon.ChinaTime)}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("labfile: row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

func ctCell(ct float64) any {
	if ct == 0 {
		return nil
	}
	return ct
}
