// Package report renders cordon's printable reports as PDF documents in
// Chinese: the epidemiological investigation report of a case (流调报告),
// laid out the way county CDCs file them, on A4 with page numbers. It takes
// records already read and masked by internal/app and only lays them out;
// the labels are fixed Chinese, as the reports are official documents.
package report

import (
	"strconv"
	"strings"
	"time"

	"cordon"
)

// chinaTime is the zone every date and time of a report is printed in.
var chinaTime = cordon.ChinaTime

// dash stands for an unknown or empty value.
const dash = "—"

// or returns s, or the dash when s is empty.
func or(s string) string {
	if strings.TrimSpace(s) == "" {
		return dash
	}
	return s
}

// when prints an instant as date and minute, Beijing time.
func when(t time.Time) string {
	if t.IsZero() {
		return dash
	}
	return t.In(chinaTime).Format("2006-01-02 15:04")
}

// label looks s up in a table of Chinese labels, showing s itself when the
// table lacks it (a value from a newer version).
func label(table map[string]string, s string) string {
	if s == "" {
		return dash
	}
	if l, ok := table[s]; ok {
		return l
	}
	return s
}

// caseNumber is how a report writes a case's number.
func caseNumber(id int64) string { return "#" + strconv.FormatInt(id, 10) }

var classificationLabels = map[string]string{
	string(cordon.Confirmed):    "确诊病例",
	string(cordon.Asymptomatic): "无症状感染者",
	string(cordon.Suspected):    "疑似病例",
}

var severityLabels = map[string]string{
	string(cordon.Mild):     "轻型",
	string(cordon.Moderate): "普通型",
	string(cordon.Severe):   "重型",
	string(cordon.Critical): "危重型",
}

var outcomeLabels = map[string]string{
	string(cordon.Recovered): "治愈出院",
	string(cordon.Deceased):  "死亡",
}

var originLabels = map[string]string{
	string(cordon.Local):    "本土",
	string(cordon.Imported): "境外输入",
}

var modeLabels = map[string]string{
	cordon.ModeWalk:  "步行",
	cordon.ModeCar:   "自驾/私家车",
	cordon.ModeBus:   "公交/客车",
	cordon.ModeTrain: "火车/高铁",
	cordon.ModePlane: "飞机",
	cordon.ModeTaxi:  "出租车/网约车",
	cordon.ModeOther: "其他",
}

var symptomLabels = map[string]string{
	"fever":       "发热",
	"cough":       "咳嗽",
	"sore_throat": "咽痛",
	"fatigue":     "乏力",
	"myalgia":     "肌肉酸痛",
	"runny_nose":  "鼻塞流涕",
	"smell_taste": "嗅觉味觉减退",
	"headache":    "头痛",
	"diarrhoea":   "腹泻",
	"other":       "其他",
}

var resultLabels = map[string]string{
	"negative": "阴性",
	"positive": "阳性",
	"pending":  "待出结果",
}

var exposureLabels = map[string]string{
	"case_contact":   "接触病例或感染者",
	"risk_area":      "中高风险地区旅居",
	"imported_goods": "接触进口物品/冷链",
	"gathering":      "聚集性活动",
	"medical":        "医疗机构就诊",
	"other":          "其他",
}

var sourceLabels = map[string]string{
	cordon.SourceCase:        "由已知病例传播",
	cordon.SourceImported:    "输入性感染",
	cordon.SourceEnvironment: "环境或物品暴露",
	cordon.SourceUnknown:     "来源不明",
}

var anchorLabels = map[string]string{
	"onset":    "发病",
	"sampling": "采样",
	"detected": "发现",
}

var warningLabels = map[string]string{
	cordon.WarnOutsideWindow:  "记录不在调查时段内",
	cordon.WarnOverlap:        "与其他记录时间重叠",
	cordon.WarnDayMissing:     "当日无活动记录",
	cordon.WarnVehicleUnusual: "车次/航班/车牌格式异常",
}
