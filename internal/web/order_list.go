package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// orderListPage lists the control orders of the account's subtree,
// newest first, by status, type, a test due today or a test day missed.
type orderListPage struct {
	page
	Form     form
	Types    []cordon.OrderType
	Statuses []cordon.OrderStatus
	Orders   []cordon.ControlOrder
	Next     string
}

// orderFilterNames are the query parameters of the list.
var orderFilterNames = []string{"status", "type", "due", "overdue", "person"}

func (s *server) orderList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := orderListPage{page: s.newPage(r, "orders.title", "orders"), Types: cordon.OrderTypes, Statuses: cordon.OrderStatuses,
		Form: form{Values: map[string]string{}}}
	for _, n := range orderFilterNames {
		d.Form.Values[n] = strings.TrimSpace(q.Get(n))
	}
	f := cordon.OrderFilter{Status: cordon.OrderStatus(d.Form.Get("status")), Type: cordon.OrderType(d.Form.Get("type")),
		Due: d.Form.Get("due") != "", Overdue: d.Form.Get("overdue") != "", Limit: pageSize}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	if p := d.Form.Get("person"); p != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(p, "#"), 10, 64)
		if err != nil || n <= 0 {
			d.Form.fail("person", "order.filter_invalid")
			d.Alert = "error.order.filter_invalid"
			s.render(w, r, http.StatusUnprocessableEntity, "orders", d)
			return
		}
		f.PersonID = n
	}
	os, err := s.app.Orders(r.Context(), v.actor, f)
	status := http.StatusOK
	if err != nil {
		var ok bool
		if status, d.Alert, ok = formFailure(err, &d.Form); !ok {
			s.fail(w, r, err)
			return
		}
	}
	d.Orders = os
	if len(os) == f.Limit {
		kv := []string{}
		for _, n := range orderFilterNames {
			kv = append(kv, n, d.Form.Get(n))
		}
		d.Next = withQuery("/orders", append(kv, "after", strconv.FormatInt(os[len(os)-1].ID, 10))...)
	}
	s.render(w, r, status, "orders", d)
}

// orderTasksPage is the day's sampling tasks: tests due today and test
// days missed, for samplers and grid workers.
type orderTasksPage struct {
	page
	Tasks       cordon.OrderTasks
	Due, Missed taskTable
}

// taskTable is one table of tasks; Link says whether the reader may open
// the orders.
type taskTable struct {
	ID    string
	Tasks []cordon.OrderTask
	Link  bool
}

func (s *server) orderTasks(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	t, err := s.app.OrderTasks(r.Context(), v.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	link := v.actor.Can(cordon.PermOrderRead)
	s.render(w, r, http.StatusOK, "order_tasks", orderTasksPage{page: s.newPage(r, "order_tasks.title", "order_tasks"), Tasks: t,
		Due: taskTable{ID: "tasks-due", Tasks: t.Due, Link: link}, Missed: taskTable{ID: "tasks-missed", Tasks: t.Missed, Link: link}})
}
