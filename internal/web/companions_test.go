package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
)

// companionsEnv is a case (黄阳性, opened from the positive by the Debao
// epidemiologist) who ate at a restaurant three hours ago, and four
// people scanned in there: 韦同桌 for 45 minutes of the case's hour,
// 农邻座 for 20, 黄路过 for 5 (under the 10-minute minimum) and 陆早走,
// gone before the case came.
type companionsEnv struct {
	*casesEnv
	page   string
	people map[string]cordon.Person
}

func newCompanionsEnv(t *testing.T) *companionsEnv {
	t.Helper()
	e := &companionsEnv{casesEnv: newCasesEnv(t), people: map[string]cordon.Person{}}
	epi := e.signedIn("debao")
	r := e.openFromPositives(epi, "asymptomatic")
	if !caseLink.MatchString(r.location) {
		t.Fatalf("open case: %d %q", r.status, r.location)
	}
	e.page = r.location + "/companions"
	v := e.venue("福记村宴席酒家", cordon.VenueRestaurant)
	at := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
	items := []app.ScanInItem{{VenueID: v.ID, PersonID: e.person.ID, At: at}}
	for i, x := range []struct {
		name        string
		from, leave time.Duration
	}{
		{"韦同桌", 15 * time.Minute, 75 * time.Minute},
		{"农邻座", 40 * time.Minute, 0},
		{"黄路过", 55 * time.Minute, 0},
		{"陆早走", -2 * time.Hour, -90 * time.Minute},
	} {
		p := e.visitor(x.name, 300+i, "")
		e.people[x.name] = p
		it := app.ScanInItem{VenueID: v.ID, PersonID: p.ID, At: at.Add(x.from)}
		if x.leave != 0 {
			it.Leave = at.Add(x.leave)
		}
		items = append(items, it)
	}
	sum, err := e.app.RecordScanIns(context.Background(), app.System, "", items)
	if err != nil || sum.Stored != len(items) {
		t.Fatalf("scan-ins: %+v %v", sum, err)
	}
	return e
}

func TestCompanionSearch(t *testing.T) {
	e := newCompanionsEnv(t)
	epi := e.signedIn("debao")
	casePage := strings.TrimSuffix(e.page, "/companions")
	must(t, epi.get(casePage), http.StatusOK, `href="`+e.page+`"`, "时空伴随查询")

	r := epi.get(e.page)
	must(t, r, http.StatusOK, "时空伴随查询", "黄阳性", "新十条", "60 分钟", "12 小时", `name="min_overlap_minutes" type="number" min="0" max="1440" inputmode="numeric" value="10"`,
		`name="buffer_minutes" type="number" min="0" max="1440" inputmode="numeric" value="0"`,
		"福记村宴席酒家", "扫码记录", "未登记离开，按 60 分钟计", "时空伴随者 2 人",
		"韦同桌", "重叠 45 分钟", "农邻座", "重叠 20 分钟", e.people["韦同桌"].IDNumber, e.people["农邻座"].IDNumber)
	if i, j := strings.Index(r.body, "韦同桌"), strings.Index(r.body, "农邻座"); i > j {
		t.Error("the longer overlap is not ranked first")
	}
	for _, name := range []string{"黄路过", "陆早走"} {
		if strings.Contains(r.body, name) {
			t.Errorf("%s is listed as a companion", name)
		}
	}
	// The rules may change for one search.
	r = epi.get(e.page + "?min_overlap_minutes=0&buffer_minutes=0")
	must(t, r, http.StatusOK, "时空伴随者 3 人", "黄路过", "重叠 5 分钟", `value="0"`)
	if strings.Contains(r.body, "陆早走") {
		t.Error("a stay that ended before the case came is listed")
	}
	must(t, epi.get(e.page+"?min_overlap_minutes=abc"), http.StatusUnprocessableEntity, `id="min_overlap_minutes-error"`, "请填写数字", `value="abc"`)
	must(t, epi.get(e.page+"?buffer_minutes=5000"), http.StatusUnprocessableEntity, `id="buffer_minutes-error"`, "缓冲时间须在 0 至 1440 分钟之间")
	must(t, e.signedIn("admin").get("/audit?action=companion.search"), http.StatusOK, "时空伴随查询", "debao")

	// One action makes a companion a close contact, the shared stay its
	// exposure.
	epi.get(e.page)
	action := e.page + "/" + strconv.FormatInt(e.people["韦同桌"].ID, 10) + "/contact"
	must(t, epi.get(e.page), http.StatusOK, `action="`+action+`"`, "转为密接", `data-confirm="将 韦同桌 登记为该病例的密切接触者`)
	r = epi.post(action, url.Values{})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/contacts/") {
		t.Fatalf("to contact: %d %q\n%s", r.status, r.location, r.body)
	}
	contact := r.location
	must(t, epi.follow(r), http.StatusOK, "韦同桌", "密接已添加")
	// A second click finds the same contact.
	epi.get(e.page)
	r = epi.post(action, url.Values{})
	if r.status != http.StatusSeeOther || r.location != contact {
		t.Fatalf("to contact again: %d %q, want %s", r.status, r.location, contact)
	}
	must(t, epi.follow(r), http.StatusOK, "此人已是该病例的密接")
	// Someone who is no companion of the case is refused.
	must(t, epi.post(e.page+"/"+strconv.FormatInt(e.people["陆早走"].ID, 10)+"/contact", url.Values{}), http.StatusNotFound, "此人不是该病例的时空伴随者")
	must(t, epi.get("/cases/999999/companions"), http.StatusNotFound)
}

// TestCompanionSearchAccess: the companion search reads personal data
// over scan-ins, a permission of its own. A commander reads cases masked:
// when the role grants the search, identity numbers are masked; while it
// does not, the page is refused and the case page offers no link.
func TestCompanionSearchAccess(t *testing.T) {
	e := newCompanionsEnv(t)
	casePage := strings.TrimSuffix(e.page, "/companions")
	cmd := e.signedIn("baise")
	r := cmd.get(e.page)
	if cordon.RoleCommander.Can(cordon.PermScanInRead) {
		masked := cordon.MaskDocNumber(e.people["韦同桌"].IDNumber)
		must(t, r, http.StatusOK, "韦同桌", masked)
		if strings.Contains(r.body, e.people["韦同桌"].IDNumber) {
			t.Error("a commander sees a companion's full ID number")
		}
	} else {
		must(t, r, http.StatusForbidden, "无权")
		if p := cmd.get(casePage); strings.Contains(p.body, e.page) {
			t.Error("the case page offers a commander the search it refuses")
		}
	}
	for _, user := range []string{"sampler", "gw"} {
		b := e.signedIn(user)
		must(t, b.get(e.page), http.StatusForbidden)
		b.get("/")
		must(t, b.post(e.page+"/"+strconv.FormatInt(e.people["韦同桌"].ID, 10)+"/contact", url.Values{}), http.StatusForbidden)
	}
	// An administrator of the region reads everything in full.
	must(t, e.signedIn("admin").get(e.page), http.StatusOK, e.people["韦同桌"].IDNumber)
}
