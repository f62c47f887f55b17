package api

import (
	"net/http"
	"reflect"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
)

// schemas names the Go types behind the route table's request and
// response bodies; their JSON Schemas are derived by reflection, so the
// document cannot drift from the code.
var schemas = map[string]any{
	"TokenRequest":       TokenRequest{},
	"TokenResponse":      TokenResponse{},
	"TokenList":          Page[cordon.Token]{},
	"Account":            cordon.Account{},
	"AccountInput":       cordon.AccountInput{},
	"AccountList":        Page[cordon.Account]{},
	"Jurisdiction":       cordon.Jurisdiction{},
	"JurisdictionList":   Page[cordon.Jurisdiction]{},
	"Grid":               cordon.Grid{},
	"GridList":           Page[cordon.Grid]{},
	"GridInput":          GridInput{},
	"GridRename":         GridRename{},
	"Person":             cordon.Person{},
	"PersonInput":        cordon.PersonInput{},
	"PersonList":         Page[cordon.Person]{},
	"MergeRequest":       MergeRequest{},
	"PasswordReset":      PasswordReset{},
	"AuditList":          Page[cordon.AuditEntry]{},
	"Problem":            Problem{},
	"PoolAdvice":         cordon.PoolAdvice{},
	"Cadence":            cordon.Cadence{},
	"CapacityCheck":      cordon.CapacityCheck{},
	"Round":              cordon.Round{},
	"RoundInput":         cordon.RoundInput{},
	"RoundList":          Page[cordon.Round]{},
	"Progress":           cordon.Progress{},
	"SamplingPoint":      cordon.SamplingPoint{},
	"SamplingPointInput": cordon.SamplingPointInput{},
	"SamplingPointList":  Page[cordon.SamplingPoint]{},
	"QueueReport":        QueueReport{},
	"SampleBatch":        cordon.SampleBatch{},
	"SampleAcks":         cordon.SampleAnswers{},
	"Tube":               cordon.Tube{},
	"TubeDetail":         app.TubeDetail{},
	"Box":                cordon.Box{},
	"BoxInput":           cordon.BoxInput{},
	"BoxReceipt":         BoxReceipt{},
	"Lab":                cordon.Lab{},
	"LabInput":           cordon.LabInput{},
	"LabStatusList":      Page[cordon.LabStatus]{},
	"LabDetail":          LabDetail{},
	"LabResultUpload":    []cordon.LabResultInput{},
	"LabUpload":          cordon.LabUpload{},
	"InboxList":          Page[cordon.InboxItem]{},
	"InboxResolution":    app.InboxResolution{},
	"HoldList":           Page[cordon.Hold]{},
	"PositiveList":       Page[cordon.Positive]{},
	"Case":               cordon.Case{},
	"PolicyView":         app.PolicyView{},
	"PolicyAssignment":   cordon.PolicyAssignment{},
	"VenueInput":         cordon.VenueInput{},
	"Venue":              cordon.Venue{},
	"VenueList":          Page[cordon.Venue]{},
	"ReissueRequest":     ReissueRequest{},
	"VenueCodeKey":       VenueCodeKey{},
	"CodeKeySet":         CodeKeySet{},
	"CodeCounts":         map[cordon.CodeColor]int{},
	"HealthCodeStatus":   cordon.HealthCodeStatus{},
	"CodeHistory":        []cordon.CodeChange{},
	"CodeSetting":        CodeSetting{},
	"CodeMark":           cordon.CodeMark{},
	"CodeMarkList":       Page[cordon.CodeMark]{},
	"CompanionMarks":     CompanionMarks{},
	"ReasonRequest":      ReasonRequest{},
	"WindowRequest":      WindowRequest{},
	"CodeToken":          app.CodeToken{},
	"VerifyRequest":      VerifyRequest{},
	"CodeVerification":   app.CodeVerification{},
	"MeasureList":        Page[cordon.AreaMeasure]{},
	"AreaMeasure":        cordon.AreaMeasure{},
	"RiskArea":           cordon.RiskArea{},
	"RiskAreaInput":      RiskAreaInput{},
	"RiskAreaList":       Page[cordon.RiskArea]{},
	"StepDownList":       Page[cordon.StepDownProposal]{},
	"CheckInput":         app.CheckInput{},
	"CheckResult":        app.CheckResult{},
	"PassRequest":        PassRequest{},
	"PassResponse":       PassResponse{},
	"PublicScanInput":    app.PublicScanInput{},
	"PublicScanIn":       app.PublicScanIn{},
	"ScanInBatch":        ScanInBatch{},
	"ScanInSummary":      app.ScanInSummary{},
	"ScanInList":         []cordon.ScanIn{},
	"CompanionQuery":     app.CompanionQuery{},
	"CompanionSearch":    app.CompanionSearch{},
	"CaseInput":          cordon.CaseInput{},
	"CaseList":           Page[cordon.Case]{},
	"CaseStep":           CaseStep{},
	"Investigation":      cordon.Investigation{},
	"Submission":         Submission{},
	"FHIRBundle":         map[string]any{},
	"LineList":           "",
	"Link":               cordon.Link{},
	"ChainView":          app.ChainView{},
	"Contact":            cordon.Contact{},
	"ContactList":        Page[cordon.Contact]{},
	"ContactInput":       cordon.ContactInput{},
	"ContactResult":      cordon.ContactResult{},
	"ContactUpdate":      cordon.ContactUpdate{},
	"ExposureInput":      cordon.ExposureInput{},
	"ContactStep":        ContactStep{},
	"ContactMatch":       cordon.ContactMatch{},
	"ContactPerson":      ContactPerson{},
	"ContactPersonLink":  cordon.ContactPersonLink{},
	"ContactStanding":    cordon.ContactStanding{},
	"Order":              app.OrderView{},
	"OrderList":          Page[cordon.ControlOrder]{},
	"OrderInput":         cordon.OrderInput{},
	"ReleaseInput":       app.ReleaseInput{},
	"OrderTasks":         cordon.OrderTasks{},
	"SiteInput":          cordon.SiteInput{},
	"Site":               cordon.Site{},
	"SiteList":           Page[cordon.Site]{},
	"OccupancyReport":    cordon.OccupancyReport{},
	"RoomBatch":          RoomBatch{},
	"RoomList":           []cordon.Room{},
	"Arrivals":           cordon.Arrivals{},
	"Stay":               cordon.Stay{},
	"StayList":           []cordon.Stay{},
	"Departure":          cordon.Departure{},
	"TransferInput":      cordon.TransferInput{},
	"HealthCheckInput":   cordon.HealthCheckInput{},
	"HealthCheck":        cordon.HealthCheck{},
	"HealthCheckList":    []cordon.HealthCheck{},
	"CheckLink":          app.CheckLink{},
	"Alert":              cordon.Alert{},
	"AlertList":          Page[cordon.Alert]{},
	"CheckpointInput":    cordon.CheckpointInput{},
	"Checkpoint":         cordon.Checkpoint{},
	"CheckpointList":     []cordon.Checkpoint{},
	"Peer":               cordon.Peer{},
	"PeerInput":          cordon.PeerInput{},
	"PeerList":           []app.PeerView{},
	"PeerMessageList":    []cordon.PeerMessage{},
	"PeerEnvelope":       cordon.PeerEnvelope{},
	"PeerReceipt":        cordon.PeerReceipt{},
	"Instance":           cordon.Instance{},
	"AssistInput":        cordon.AssistInput{},
	"AssistFanOut":       app.AssistFanOut{},
	"AssistRequest":      cordon.AssistRequest{},
	"AssistRequestList":  Page[cordon.AssistRequest]{},
	"AssistOverdueList":  []cordon.AssistOverdue{},
	"AssistOutcome":      cordon.AssistOutcome{},
	"AssistPerson":       cordon.AssistPerson{},
	"AssistGrid":         AssistGrid{},
	"AssistForward":      app.AssistForward{},
	"TripReport":         cordon.TripReport{},
	"TripView":           app.TripView{},
	"Trip":               cordon.Trip{},
	"TripList":           Page[cordon.Trip]{},
	"ObligationList":     Page[cordon.Obligation]{},
	"Obligation":         cordon.Obligation{},
	"MeetRequest":        MeetRequest{},
	"ArrivalAnswer":      app.ArrivalAnswer{},
	"PassageInput":       app.PassageInput{},
	"PassageResult":      app.PassageResult{},
	"PassageCountList":   []cordon.PassageCount{},
	"PassageList":        []cordon.Passage{},
	"ImportJob":          app.ImportJob{},
	"ImportList":         Page[app.ImportJob]{},
	"ImportDetail":       ImportDetail{},
}

// OpenAPI builds the OpenAPI 3.1 document of the route table.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": operationID(rt),
			"responses":   map[string]any{},
		}
		resp := op["responses"].(map[string]any)
		ok := map[string]any{"description": http.StatusText(rt.status)}
		if rt.response != "" {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.response)}}
		}
		resp[itoa(int64(rt.status))] = ok
		resp["default"] = map[string]any{"description": "A problem", "content": map[string]any{"application/problem+json": map[string]any{"schema": ref("Problem")}}}
		if rt.request != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(rt.request)}}}
		}
		var params []any
		for _, seg := range strings.Split(rt.path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.public {
			op["security"] = []any{}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	comps := map[string]any{}
	for name, v := range schemas {
		comps[name] = schemaOf(reflect.TypeOf(v))
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "cordon API", "version": "1"},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         comps,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

// Patterns lists "METHOD PATH" of every route in the table.
func (s *Server) Patterns() []string {
	var out []string
	for _, rt := range s.routes {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, s.OpenAPI())
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, seg := range strings.Split(strings.TrimPrefix(rt.path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		if seg == "" {
			continue
		}
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf derives a JSON Schema from a Go type and its json tags.
// Embedded structs are flattened as encoding/json does; a type that
// contains itself (a tree) refers to its named schema.
func schemaOf(t reflect.Type) map[string]any { return schemaIn(t, map[reflect.Type]bool{}) }

func schemaIn(t reflect.Type, building map[reflect.Type]bool) map[string]any {
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaIn(t.Elem(), building)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaIn(t.Elem(), building)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaIn(t.Elem(), building)}
	case reflect.Struct:
		if building[t] {
			for name, v := range schemas {
				if reflect.TypeOf(v) == t {
					return ref(name)
				}
			}
			return map[string]any{"type": "object"}
		}
		building[t] = true
		defer delete(building, t)
		props := map[string]any{}
		structProps(t, building, props)
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	}
	return map[string]any{}
}

// structProps adds a struct's JSON properties to props.
func structProps(t reflect.Type, building map[reflect.Type]bool, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			structProps(f.Type, building, props)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaIn(f.Type, building)
	}
}
