package api

import (
	"net/http"
	"strconv"

	"cordon"
	"cordon/internal/app"
)

// orderFilter reads the filters of the order list.
func orderFilter(r *http.Request) (cordon.OrderFilter, error) {
	q := r.URL.Query()
	f := cordon.OrderFilter{Status: cordon.OrderStatus(q.Get("status")), Type: cordon.OrderType(q.Get("type"))}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"person", &f.PersonID}, {"contact", &f.ContactID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return f, cordon.Errorf(cordon.KindInvalid, "order.filter_invalid", "%s must be a record number", p.name).WithField(p.name, "order.filter_invalid")
			}
			*p.to = n
		}
	}
	for _, p := range []struct {
		name string
		to   *bool
	}{{"due", &f.Due}, {"overdue", &f.Overdue}} {
		switch v := q.Get(p.name); v {
		case "", "false", "0":
		case "true", "1":
			*p.to = true
		default:
			return f, cordon.Errorf(cordon.KindInvalid, "order.filter_invalid", "%s is true or false", p.name).WithField(p.name, "order.filter_invalid")
		}
	}
	return f, nil
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := orderFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.After, f.Limit = after, limit
	os, err := s.app.Orders(r.Context(), actor, f)
	s.reply(w, r, http.StatusOK, page(os, limit, func(o cordon.ControlOrder) int64 { return o.ID }), err)
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.OrderInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.CreateOrder(r.Context(), actor, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/orders/"+itoa(v.ID))
	}
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.Order(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) releaseOrder(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in app.ReleaseInput
	id, err := pathID(r, "id")
	if err == nil && r.ContentLength != 0 {
		err = decode(w, r, &in)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.ReleaseOrder(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) orderDocument(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := s.app.OrderDocument(r.Context(), actor, id, reason(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="order-`+itoa(id)+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	w.Write(data)
}

func (s *Server) orderTasks(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	t, err := s.app.OrderTasks(r.Context(), actor)
	s.reply(w, r, http.StatusOK, t, err)
}
