package app

import (
	"cmp"
	"context"
	"io"
	"slices"

	"cordon"
	"cordon/internal/linelist"
	"cordon/internal/report"
)

// The exports of an assist request in the letter's layout: its people as
// a line list (XLSX or CSV) and the A4 letter (PDF); and a request made
// from an uploaded list.

// AssistExport writes the people of a request, with where each stands, as
// a line list: audited, masked by role.
func (a *App) AssistExport(ctx context.Context, actor cordon.Actor, id int64, format string, w io.Writer) error {
	if format != linelist.CSV && format != linelist.XLSX {
		return cordon.Errorf(cordon.KindInvalid, "linelist.format", "the format is csv or xlsx").WithField("format", "linelist.format")
	}
	r, err := a.readAssist(ctx, actor, id, "assist.export", format)
	if err != nil {
		return err
	}
	return linelist.WriteAssist(w, format, r, func(code string) string { return a.PathName(ctx, code) })
}

// AssistLetter writes the request as a printable letter (协查函, PDF):
// audited, masked by role.
func (a *App) AssistLetter(ctx context.Context, actor cordon.Actor, id int64, w io.Writer) error {
	r, err := a.readAssist(ctx, actor, id, "assist.export", "pdf")
	if err != nil {
		return err
	}
	return report.WriteAssistLetter(w, report.AssistData{Request: r, Generated: a.now(), GeneratedBy: actor.Username,
		Place: func(code string) string { return a.PathName(ctx, code) }})
}

// CreateAssistFromFile sends assist requests about the people of an
// uploaded list (linelist.AssistColumns): a file that cannot be read fails
// as a whole; a row that cannot be read is a row error, the others sent.
func (a *App) CreateAssistFromFile(ctx context.Context, actor cordon.Actor, in cordon.AssistInput, f ImportFile) (AssistFanOut, error) {
	if err := authorize(actor, cordon.PermAssistWrite); err != nil {
		return AssistFanOut{}, err
	}
	table, err := linelist.Read(f.Format, f.Data, linelist.AssistColumns)
	if err != nil {
		return AssistFanOut{}, err
	}
	var unread []cordon.AssistRowError
	in.People = nil
	for _, row := range table.Rows {
		if row.Err != nil {
			unread = append(unread, cordon.AssistRowError{Line: row.Line, Code: cordon.ErrorCode(row.Err)})
			continue
		}
		in.People = append(in.People, cordon.AssistPersonInput{Line: row.Line, Name: row.Value("name"), IDNumber: row.Value("id_number"),
			DocType: cordon.DocType(linelist.Code(row.Value("doc_type"))), Phone: row.Value("phone"), Current: row.Value("current"),
			Residence: row.Value("residence"), Places: row.Value("places"), Note: row.Value("note")})
	}
	out, err := a.CreateAssist(ctx, actor, in)
	out.Errors = append(unread, out.Errors...)
	slices.SortFunc(out.Errors, func(x, y cordon.AssistRowError) int { return cmp.Compare(x.Line, y.Line) })
	return out, err
}
