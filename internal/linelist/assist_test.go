package linelist

import (
	"bytes"
	"testing"
	"time"

	"cordon"
)

// An exported assist list reads back as an assist list: the receiver can
// send its people on with the same file.
func TestAssistListReadsBack(t *testing.T) {
	at := time.Date(2022, 2, 6, 2, 30, 0, 0, time.UTC)
	r := cordon.AssistRequest{Number: "百色协查〔2022〕第0001号", People: []cordon.AssistPerson{
		{Pos: 1, Name: "黄某", IDNumber: "45102419850201001X", Phone: "13907760001", Current: "450102", Note: "同车厢", Status: cordon.AssistControlled, ControlledAt: at},
		{Pos: 2, Name: "李某", IDNumber: "450102199001010011", Current: "450103", Note: "同住", Status: cordon.AssistMovedOn, ForwardedTarget: "450107"},
	}}
	for _, format := range []string{XLSX, CSV} {
		var buf bytes.Buffer
		if err := WriteAssist(&buf, format, r, func(code string) string { return "南宁市" + code }); err != nil {
			t.Fatal(err)
		}
		table, err := Read(format, buf.Bytes(), AssistColumns)
		if err != nil || len(table.Rows) != 2 {
			t.Fatalf("%s: %v", format, err)
		}
		first, second := table.Rows[0], table.Rows[1]
		if first.Value("name") != "黄某" || first.Value("id_number") != "45102419850201001X" || first.Value("phone") != "13907760001" || first.Value("note") != "同车厢" {
			t.Errorf("%s: the first row reads %q %q %q %q", format, first.Value("name"), first.Value("id_number"), first.Value("phone"), first.Value("note"))
		}
		if second.Value("name") != "李某" || second.Value("note") != "同住" {
			t.Errorf("%s: the second row reads %q %q", format, second.Value("name"), second.Value("note"))
		}
	}
}
