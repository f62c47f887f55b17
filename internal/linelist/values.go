package linelist

import (
	"strings"
	"time"

	"cordon"
)

// codeOfWord reads the words of a line list back to cordon's codes: the
// words WriteCases writes, the short forms people type, and the codes
// themselves (English lists).
var codeOfWord = func() map[string]string {
	m := map[string]string{
		"确诊": string(cordon.Confirmed), "无症状": string(cordon.Asymptomatic), "无症状感染": string(cordon.Asymptomatic),
		"疑似": string(cordon.Suspected),
		"普通": string(cordon.Moderate), "重症": string(cordon.Severe), "危重症": string(cordon.Critical),
		"治愈出院": string(cordon.Recovered), "痊愈": string(cordon.Recovered), "死亡病例": string(cordon.Deceased),
		"本地": string(cordon.Local), "境外": string(cordon.Imported), "输入": string(cordon.Imported),
		"居民身份证": string(cordon.DocCitizenID), "身份证": string(cordon.DocCitizenID), "护照": string(cordon.DocPassport),
		"港澳居民来往内地通行证": string(cordon.DocHKMacaoPermit), "港澳通行证": string(cordon.DocHKMacaoPermit), "回乡证": string(cordon.DocHKMacaoPermit),
		"台湾居民来往大陆通行证": string(cordon.DocTaiwanPermit), "台胞证": string(cordon.DocTaiwanPermit),
	}
	for code, word := range words {
		m[word] = code
		m[code] = code
	}
	return m
}()

// Code reads a word of a line list (病例分类, 临床分型, 转归, 感染来源,
// 证件类型) as
// cordon's code: 确诊病例 and confirmed are both "confirmed". A word it does
// not know comes back as it is, for validation to refuse.
func Code(s string) string {
	s = strings.TrimSpace(s)
	if c, ok := codeOfWord[s]; ok {
		return c
	}
	if c, ok := codeOfWord[strings.ToLower(s)]; ok {
		return c
	}
	return s
}

// dateLayouts are the ways people and spreadsheets write a date.
var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "20060102"}

// timeLayouts are the ways they write a time of day with a date, China
// time; a date alone is its midnight.
var timeLayouts = []string{"2006-1-2 15:04:05", "2006-1-2 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006-1-2T15:04:05", "2006年1月2日 15:04"}

// Date reads a date in one of the usual ways and writes it as YYYY-MM-DD;
// a time after it ("2022-02-03 00:00:00", as a workbook's date cell may
// read) is dropped.
func Date(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if d, _, ok := strings.Cut(s, " "); ok {
		s = d
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// Time reads a time as a line list writes it (China time, to the minute)
// or with an offset (RFC 3339), and returns it in UTC.
func Time(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, cordon.ChinaTime); err == nil {
			return t.UTC(), true
		}
	}
	if d, ok := Date(s); ok {
		t, _ := time.ParseInLocation(time.DateOnly, d, cordon.ChinaTime)
		return t.UTC(), true
	}
	return time.Time{}, false
}
