// Package api is cordon's JSON API v1 under /api/v1: one route table, one
// file per resource, bearer-token authentication, problem+json errors with
// stable codes, cursor pagination, and an OpenAPI document generated from
// the same table that registers the routes.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"cordon"
	"cordon/internal/app"
)

// Server serves the API.
type Server struct {
	app    *app.App
	log    *slog.Logger
	mux    *http.ServeMux
	routes []route
}

// route is one line of the route table; the OpenAPI document is built from
// the same lines.
type route struct {
	method, path string
	public       bool // no token needed
	summary      string
	request      string // schema name of the JSON body, if any
	response     string // schema name of the success body
	status       int    // success status
	query        []string
	handle       func(w http.ResponseWriter, r *http.Request, actor cordon.Actor)
}

// New builds the API over the application.
func New(a *app.App, log *slog.Logger) *Server {
	s := &Server{app: a, log: log, mux: http.NewServeMux()}
	s.routes = s.table()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	s.mux.HandleFunc("GET /api/v1/openapi.json", s.openAPI)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, cordon.Errorf(cordon.KindNotFound, "request.no_route", "no such endpoint"))
	})
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// table is the API's one route table.
func (s *Server) table() []route {
	return []route{
		{method: "POST", path: "/api/v1/tokens", public: true, summary: "Issue an API token for a username and password", request: "TokenRequest", response: "TokenResponse", status: 201, handle: s.createToken},
		{method: "GET", path: "/api/v1/tokens", summary: "List your own tokens", response: "TokenList", status: 200, handle: s.listTokens},
		{method: "DELETE", path: "/api/v1/tokens/{id}", summary: "Revoke one of your tokens", status: 204, handle: s.revokeToken},
		{method: "GET", path: "/api/v1/me", summary: "The account the token belongs to", response: "Account", status: 200, handle: s.me},

		{method: "GET", path: "/api/v1/jurisdictions", summary: "Search jurisdictions by name or code", query: []string{"q", "within", "limit"}, response: "JurisdictionList", status: 200, handle: s.searchJurisdictions},
		{method: "GET", path: "/api/v1/jurisdictions/{code}", summary: "One jurisdiction", response: "Jurisdiction", status: 200, handle: s.getJurisdiction},
		{method: "GET", path: "/api/v1/jurisdictions/{code}/children", summary: "The jurisdictions directly below", response: "JurisdictionList", status: 200, handle: s.jurisdictionChildren},
		{method: "GET", path: "/api/v1/jurisdictions/{code}/ancestors", summary: "The jurisdictions above, top first", response: "JurisdictionList", status: 200, handle: s.jurisdictionAncestors},

		{method: "GET", path: "/api/v1/grids", summary: "Grids inside your jurisdiction", query: []string{"within"}, response: "GridList", status: 200, handle: s.listGrids},
		{method: "POST", path: "/api/v1/grids", summary: "Create a grid under a village or community", request: "GridInput", response: "Grid", status: 201, handle: s.createGrid},
		{method: "PATCH", path: "/api/v1/grids/{code}", summary: "Rename a grid", request: "GridRename", status: 204, handle: s.renameGrid},

		{method: "POST", path: "/api/v1/persons", summary: "Register a person; 409 with the existing id if the document is known", request: "PersonInput", response: "Person", status: 201, handle: s.createPerson},
		{method: "GET", path: "/api/v1/persons", summary: "List or search persons in your jurisdiction", query: []string{"q", "id_number", "doc_type", "phone", "jurisdiction", "cursor", "limit"}, response: "PersonList", status: 200, handle: s.listPersons},
		{method: "GET", path: "/api/v1/persons/{id}", summary: "One person (personal data masked by role; the read is audited)", response: "Person", status: 200, handle: s.getPerson},
		{method: "PUT", path: "/api/v1/persons/{id}", summary: "Replace a person's fields (optimistic version check)", request: "PersonInput", response: "Person", status: 200, handle: s.updatePerson},
		{method: "POST", path: "/api/v1/persons/{id}/merge", summary: "Merge a duplicate record into this person, keeping both histories", request: "MergeRequest", status: 204, handle: s.mergePersons},
		{method: "GET", path: "/api/v1/persons/{id}/history", summary: "Audit entries about a person", response: "AuditList", status: 200, handle: s.personHistory},

		{method: "GET", path: "/api/v1/accounts", summary: "Accounts inside your jurisdiction", response: "AccountList", status: 200, handle: s.listAccounts},
		{method: "POST", path: "/api/v1/accounts", summary: "Create an account", request: "AccountInput", response: "Account", status: 201, handle: s.createAccount},
		{method: "POST", path: "/api/v1/accounts/{id}/disable", summary: "Disable an account, ending its sessions and tokens", status: 204, handle: s.disableAccount},
		{method: "POST", path: "/api/v1/accounts/{id}/enable", summary: "Enable an account again", status: 204, handle: s.enableAccount},
		{method: "POST", path: "/api/v1/accounts/{id}/password", summary: "Set a new password", request: "PasswordReset", status: 204, handle: s.resetPassword},

		{method: "GET", path: "/api/v1/testing/pool-advice", summary: "The pool size that needs the fewest tests at a prevalence, given or observed in an area's rounds of the last 14 days (Dorfman)", query: []string{"prevalence", "jurisdiction"}, response: "PoolAdvice", status: 200, handle: s.poolAdvice},
		{method: "GET", path: "/api/v1/testing/cadence", summary: "When an area should be tested next, and whether testing may stop", query: []string{"jurisdiction"}, response: "Cadence", status: 200, handle: s.cadence},
		{method: "GET", path: "/api/v1/testing/capacity", summary: "Samplers, points and tables an area needs by the guide, against those registered", query: []string{"jurisdiction", "population", "deadline_hours"}, response: "CapacityCheck", status: 200, handle: s.capacity},

		{method: "POST", path: "/api/v1/rounds", summary: "Open a round of mass testing", request: "RoundInput", response: "Round", status: 201, handle: s.createRound},
		{method: "GET", path: "/api/v1/rounds", summary: "Rounds over your jurisdiction, newest first", query: []string{"open", "cursor", "limit"}, response: "RoundList", status: 200, handle: s.listRounds},
		{method: "GET", path: "/api/v1/rounds/{id}", summary: "One round", response: "Round", status: 200, handle: s.getRound},
		{method: "POST", path: "/api/v1/rounds/{id}/close", summary: "Close a round: no more registrations", status: 204, handle: s.closeRound},
		{method: "GET", path: "/api/v1/rounds/{id}/progress", summary: "A round's progress at a node and the levels below it", query: []string{"jurisdiction", "depth"}, response: "Progress", status: 200, handle: s.roundProgress},
		{method: "GET", path: "/api/v1/rounds/{id}/unsampled", summary: "Registered people of an area not yet sampled in the round (audited)", query: []string{"jurisdiction", "cursor", "limit"}, response: "PersonList", status: 200, handle: s.roundUnsampled},

		{method: "POST", path: "/api/v1/sampling-points", summary: "Register a sampling point", request: "SamplingPointInput", response: "SamplingPoint", status: 201, handle: s.createPoint},
		{method: "GET", path: "/api/v1/sampling-points", summary: "Sampling points in your jurisdiction", query: []string{"jurisdiction", "round", "cursor", "limit"}, response: "SamplingPointList", status: 200, handle: s.listPoints},
		{method: "GET", path: "/api/v1/sampling-points/{id}", summary: "One sampling point with its throughput and waiting estimate", response: "SamplingPoint", status: 200, handle: s.getPoint},
		{method: "PUT", path: "/api/v1/sampling-points/{id}", summary: "Replace a sampling point's details", request: "SamplingPointInput", response: "SamplingPoint", status: 200, handle: s.updatePoint},
		{method: "POST", path: "/api/v1/sampling-points/{id}/queue", summary: "Report how many people are waiting", request: "QueueReport", status: 204, handle: s.reportQueue},
		{method: "GET", path: "/api/v1/public/sampling-points", public: true, summary: "Open sampling points near a jurisdiction, with hours and waiting time (no sign-in)", query: []string{"jurisdiction"}, response: "SamplingPointList", status: 200, handle: s.publicPoints},

		{method: "POST", path: "/api/v1/samples", summary: "Register a batch of samples; each is answered only once durably stored, resends with the same key are harmless", request: "SampleBatch", response: "SampleAcks", status: 200, handle: s.registerSamples},
		{method: "GET", path: "/api/v1/tubes/{barcode}", summary: "A tube and the people in it (audited)", response: "TubeDetail", status: 200, handle: s.getTube},
		{method: "POST", path: "/api/v1/tubes/{barcode}/close", summary: "Close a partly filled tube", response: "Tube", status: 200, handle: s.closeTube},
		{method: "POST", path: "/api/v1/boxes", summary: "Hand a box of tubes to a courier for a lab", request: "BoxInput", response: "Box", status: 201, handle: s.handOver},
		{method: "POST", path: "/api/v1/boxes/{barcode}/receipt", summary: "A lab's receipt of a box: missing and extra tubes are reported", request: "BoxReceipt", response: "Box", status: 200, handle: s.receiveBox},

		{method: "POST", path: "/api/v1/labs", summary: "Register a lab", request: "LabInput", response: "Lab", status: 201, handle: s.createLab},
		{method: "GET", path: "/api/v1/labs", summary: "Labs with backlog, throughput and overdue tubes", response: "LabStatusList", status: 200, handle: s.listLabs},
		{method: "GET", path: "/api/v1/labs/{id}", summary: "One lab's load and its overdue tubes", response: "LabDetail", status: 200, handle: s.getLab},
		{method: "POST", path: "/api/v1/lab-results", summary: "Upload results as JSON, CSV, XLSX or HL7 v2 ORU^R01, chosen by Content-Type", request: "LabResultUpload", response: "LabUpload", status: 200, handle: s.uploadResults},
		{method: "GET", path: "/api/v1/lab-inbox", summary: "Results that could not be applied, waiting for a person", query: []string{"cursor", "limit"}, response: "InboxList", status: 200, handle: s.listInbox},
		{method: "POST", path: "/api/v1/lab-inbox/{id}/resolve", summary: "Apply an inbox item with a corrected barcode or result, or dismiss it", request: "InboxResolution", response: "LabUpload", status: 200, handle: s.resolveInbox},
		{method: "GET", path: "/api/v1/recalls", summary: "People held for a retest or to be sampled again, by area (audited)", query: []string{"jurisdiction", "status", "kind", "cursor", "limit"}, response: "HoldList", status: 200, handle: s.listRecalls},
		{method: "GET", path: "/api/v1/positives", summary: "Positive single tubes for the epidemiologists (audited)", query: []string{"cursor", "limit"}, response: "PositiveList", status: 200, handle: s.listPositives},

		{method: "POST", path: "/api/v1/cases", summary: "Open a case from a positive result (positive_id) or for a registered person (person_id)", request: "CaseInput", response: "Case", status: 201, handle: s.openCase},
		{method: "GET", path: "/api/v1/cases", summary: "Cases of your jurisdiction, newest first, with their reporting clocks (audited)", query: []string{"classification", "cursor", "limit"}, response: "CaseList", status: 200, handle: s.listCases},
		{method: "GET", path: "/api/v1/cases/export", summary: "The cases of your jurisdiction as a line list: XLSX (default) or CSV (audited)", query: []string{"format"}, response: "LineList", status: 200, handle: s.caseLineList},
		{method: "GET", path: "/api/v1/cases/{id}", summary: "One case with its clocks and history (audited)", response: "Case", status: 200, handle: s.getCase},
		{method: "PUT", path: "/api/v1/cases/{id}", summary: "Reclassify a case or change its clinical fields (history kept; optimistic version check)", request: "CaseInput", response: "Case", status: 200, handle: s.updateCase},
		{method: "GET", path: "/api/v1/cases/{id}/fhir", summary: "A case as a FHIR R4 Bundle: Patient, Condition, Observation, Encounter (audited)", response: "FHIRBundle", status: 200, handle: s.caseFHIR},
		{method: "POST", path: "/api/v1/case-links", summary: "Record that one case infected another, with the evidence (a link that makes a case its own ancestor is refused)", request: "Link", status: 204, handle: s.linkCases},
		{method: "GET", path: "/api/v1/chains", summary: "Transmission chains and clusters of your jurisdiction: generations, superspreaders, cluster size by day", response: "ChainView", status: 200, handle: s.chains},
		{method: "GET", path: "/api/v1/chains/{id}/export", summary: "One cluster (named by its smallest case id) as a table: generation, infectors with confidence and evidence, secondary cases, contacts; XLSX (default) or CSV", query: []string{"format"}, response: "LineList", status: 200, handle: s.chainExport},
		{method: "POST", path: "/api/v1/cases/{id}/steps", summary: "Record a reporting step done: trajectory or initial_report", request: "CaseStep", response: "Case", status: 200, handle: s.markCaseStep},
		{method: "GET", path: "/api/v1/cases/{id}/contacts", summary: "Contacts of your jurisdiction traced to a case, newest first (audited; masked by role)", query: []string{"cursor", "limit"}, response: "ContactList", status: 200, handle: s.caseContacts},

		{method: "POST", path: "/api/v1/contacts", summary: "Add a close (source_case_id) or secondary (source_contact_id) contact with an exposure: 201 for a new contact, 200 when the person's record took the exposure; warnings (contact.exposure_outside_window) in the answer", request: "ContactInput", response: "ContactResult", status: 201, handle: s.addContact},
		{method: "GET", path: "/api/v1/contacts", summary: "Contacts of your jurisdiction, newest first (audited; masked by role)", query: []string{"case", "source_contact", "person", "kind", "status", "household", "unmatched", "cursor", "limit"}, response: "ContactList", status: 200, handle: s.listContacts},
		{method: "GET", path: "/api/v1/contacts/export", summary: "Contacts of your jurisdiction as a line list: XLSX (default) or CSV, Chinese headings (audited; masked by role)", query: []string{"format", "case", "source_contact", "person", "kind", "status", "household", "unmatched"}, response: "LineList", status: 200, handle: s.contactLineList},
		{method: "POST", path: "/api/v1/contacts/match", summary: "Link the unmatched contacts of your jurisdiction to registered persons by ID number, else phone and name; ambiguous ones are reported", response: "ContactMatch", status: 200, handle: s.matchContacts},
		{method: "GET", path: "/api/v1/contacts/{id}", summary: "One contact with its exposures, transfer clock and expected control (audited; masked by role)", response: "Contact", status: 200, handle: s.getContact},
		{method: "PUT", path: "/api/v1/contacts/{id}", summary: "Replace a contact's jurisdiction, household and note, and an unmatched contact's identity (optimistic version check)", request: "ContactUpdate", response: "Contact", status: 200, handle: s.updateContact},
		{method: "POST", path: "/api/v1/contacts/{id}/exposures", summary: "Add an exposure to a contact (the same source again updates it); warnings in the answer", request: "ExposureInput", response: "ContactResult", status: 200, handle: s.addExposure},
		{method: "POST", path: "/api/v1/contacts/{id}/control", summary: "Record that a contact was put under control (at, or now), stopping the transfer clock", request: "ContactStep", response: "Contact", status: 200, handle: s.controlContact},
		{method: "POST", path: "/api/v1/contacts/{id}/release", summary: "Record that contact management of a contact under control ended (at, or now)", request: "ContactStep", response: "Contact", status: 200, handle: s.releaseContact},
		{method: "POST", path: "/api/v1/contacts/{id}/person", summary: "Link an unmatched contact to a registered person chosen by hand", request: "ContactPerson", response: "ContactPersonLink", status: 200, handle: s.linkContactPerson},
		{method: "POST", path: "/api/v1/contacts/{id}/merge", summary: "Merge a duplicate contact record (duplicate) of the same person into this one: exposures moved, both kept, audited with the reason", request: "MergeRequest", response: "Contact", status: 200, handle: s.mergeContacts},
		{method: "GET", path: "/api/v1/persons/{id}/contact-standing", summary: "Where a person stands in contact management: under it or not, close or secondary, controlled or not (audited)", response: "ContactStanding", status: 200, handle: s.personContactStanding},
		{method: "GET", path: "/api/v1/cases/{id}/investigation", summary: "The epidemiological investigation of a case, an empty draft before the first save, with its window and warnings (audited; household masked by role)", response: "Investigation", status: 200, handle: s.getInvestigation},
		{method: "PUT", path: "/api/v1/cases/{id}/investigation", summary: "Save the investigation of a case (version 0 creates it; optimistic version check); a submitted one is amended", request: "Investigation", response: "Investigation", status: 200, handle: s.saveInvestigation},
		{method: "POST", path: "/api/v1/cases/{id}/investigation/submit", summary: "Submit the trajectory or the initial report; refused while incomplete; stops the case's reporting clocks", request: "Submission", response: "Investigation", status: 200, handle: s.submitInvestigation},
		{method: "GET", path: "/api/v1/cases/{id}/investigation/report.pdf", summary: "The investigation report as a PDF in Chinese, A4 (audited; masked by role)", status: 200, handle: s.investigationReport},

		{method: "GET", path: "/api/v1/orders", summary: "Control orders of your jurisdiction, newest first: by status, type (the first phase), person, contact, a test due today (due) or a test day missed (overdue) (audited; masked by role)", query: []string{"status", "type", "person", "contact", "due", "overdue", "cursor", "limit"}, response: "OrderList", status: 200, handle: s.listOrders},
		{method: "POST", path: "/api/v1/orders", summary: "Make an order by hand: the edition's plan for a population from the last exposure, or phases that agree with it (order.contradicts_edition names the rule), or phases alone on a document", request: "OrderInput", response: "Order", status: 201, handle: s.createOrder},
		{method: "GET", path: "/api/v1/orders/{id}", summary: "One order with its test days and whether its release conditions hold (audited; masked by role)", response: "Order", status: 200, handle: s.getOrder},
		{method: "POST", path: "/api/v1/orders/{id}/release", summary: "Release an order when its conditions hold (order.release_conditions_unmet lists what is missing), or early (commanders) with a reason", request: "ReleaseInput", response: "Order", status: 200, handle: s.releaseOrder},
		{method: "GET", path: "/api/v1/orders/{id}/document", summary: "The order's printable notice (隔离管控告知书) as a PDF in Chinese, A4 (audited; masked by role)", status: 200, handle: s.orderDocument},
		{method: "GET", path: "/api/v1/order-tasks", summary: "Today's sampling tasks of your jurisdiction: the orders' tests due today with any sample taken, and test days missed (audited; masked by role)", response: "OrderTasks", status: 200, handle: s.orderTasks},

		{method: "GET", path: "/api/v1/policies", summary: "The policy edition in force in a jurisdiction on a day, the shipped editions and the assignments that bear on it", query: []string{"jurisdiction", "at"}, response: "PolicyView", status: 200, handle: s.getPolicy},
		{method: "PUT", path: "/api/v1/policies", summary: "Put an edition in force in a jurisdiction from a day, or override single values there (administrators)", request: "PolicyAssignment", status: 204, handle: s.setPolicy},

		{method: "POST", path: "/api/v1/venues", summary: "Register a venue; it gets a signed venue code", request: "VenueInput", response: "Venue", status: 201, handle: s.createVenue},
		{method: "GET", path: "/api/v1/venues", summary: "Venues of your jurisdiction", query: []string{"q", "category", "cursor", "limit"}, response: "VenueList", status: 200, handle: s.listVenues},
		{method: "GET", path: "/api/v1/venues/{id}", summary: "One venue with its current code", response: "Venue", status: 200, handle: s.getVenue},
		{method: "PUT", path: "/api/v1/venues/{id}", summary: "Change a venue (optimistic version check); active false closes it", request: "VenueInput", response: "Venue", status: 200, handle: s.updateVenue},
		{method: "POST", path: "/api/v1/venues/{id}/reissue", summary: "Give a venue a new code, revoking the printed ones", request: "ReissueRequest", response: "Venue", status: 200, handle: s.reissueVenueCode},
		{method: "GET", path: "/api/v1/public/venue-code-key", public: true, summary: "The public key that checks venue codes offline", response: "VenueCodeKey", status: 200, handle: s.venueCodeKey},
		{method: "POST", path: "/api/v1/public/scan-in", public: true, summary: "A person's own scan of a venue code, identified by ID number and phone (no sign-in)", request: "PublicScanInput", response: "PublicScanIn", status: 201, handle: s.publicScanIn},
		{method: "POST", path: "/api/v1/scan-ins", summary: "Record up to 5,000 scan-ins from venue devices or reverse scanning; answered once durable, resends answer replayed", request: "ScanInBatch", response: "ScanInSummary", status: 200, handle: s.recordScanIns},
		{method: "GET", path: "/api/v1/persons/{id}/scan-ins", summary: "A person's scan-ins between two times (audited)", query: []string{"from", "to"}, response: "ScanInList", status: 200, handle: s.itinerary},
		{method: "POST", path: "/api/v1/companions/search", summary: "Spatio-temporal companions of a case's infectious window or of an itinerary, ranked by overlap (audited)", request: "CompanionQuery", response: "CompanionSearch", status: 200, handle: s.searchCompanions},

		{method: "GET", path: "/.well-known/cordon/keys", public: true, summary: "The public keys that verify health-code tokens offline; a retired key stays until its last token expires", response: "CodeKeySet", status: 200, handle: s.codeKeys},
		{method: "GET", path: "/api/v1/persons/{id}/health-code", summary: "A person's health code now: colour, reasons with their causes, since when (audited)", response: "HealthCodeStatus", status: 200, handle: s.healthCode},
		{method: "GET", path: "/api/v1/persons/{id}/health-code/history", summary: "The changes of a person's health code with their causes (audited)", response: "CodeHistory", status: 200, handle: s.healthCodeHistory},
		{method: "POST", path: "/api/v1/persons/{id}/health-code", summary: "Set a colour by hand, or add a reason code, with a reason and an expiry (audited); green reverts", request: "CodeSetting", response: "CodeMark", status: 201, handle: s.setHealthCode},
		{method: "GET", path: "/api/v1/persons/{id}/health-code/marks", summary: "The marks on a person's code: colours set by hand, companions", response: "CodeMarkList", status: 200, handle: s.codeMarks},
		{method: "POST", path: "/api/v1/health-code-marks/{id}/revoke", summary: "End a mark before its expiry, with a reason", request: "ReasonRequest", status: 204, handle: s.revokeCodeMark},
		{method: "POST", path: "/api/v1/persons/{id}/health-code/window", summary: "Grant a yellow-code holder the one-time 1–24 h window to travel home", request: "WindowRequest", response: "HealthCodeStatus", status: 200, handle: s.codeWindow},
		{method: "GET", path: "/api/v1/persons/{id}/health-code/printed", summary: "A long-lived signed token to print for a person without a phone (audited)", response: "CodeToken", status: 200, handle: s.printedCode},
		{method: "POST", path: "/api/v1/health-codes/verify", summary: "Verify a scanned health-code token: genuine, in date, not replayed; answers the colour now", request: "VerifyRequest", response: "CodeVerification", status: 200, handle: s.verifyCode},
		{method: "GET", path: "/api/v1/health-codes/counts", summary: "How many residents of a jurisdiction hold each colour now (no one's code is shown)", query: []string{"jurisdiction"}, response: "CodeCounts", status: 200, handle: s.codeCounts},
		{method: "POST", path: "/api/v1/cases/{id}/companions/mark", summary: "Turn companions of a case yellow (B3) for 7 days; each must be a companion of the case", request: "CompanionMarks", response: "CodeMarkList", status: 200, handle: s.markCompanions},
		{method: "POST", path: "/api/v1/health-codes/keys/rotate", summary: "Start a new signing-key generation (administrators)", response: "CodeKeySet", status: 200, handle: s.rotateCodeKey},
		{method: "GET", path: "/api/v1/measures", summary: "Area measures over or inside your jurisdiction", response: "MeasureList", status: 200, handle: s.listMeasures},
		{method: "POST", path: "/api/v1/measures", summary: "Colour the codes of everyone living in a jurisdiction until a date or a number of negative rounds", request: "AreaMeasure", response: "AreaMeasure", status: 201, handle: s.takeMeasure},
		{method: "POST", path: "/api/v1/measures/{id}/end", summary: "Lift a measure now, with a reason", request: "ReasonRequest", status: 204, handle: s.endMeasure},
		{method: "GET", path: "/api/v1/risk-areas", summary: "Risk areas of your jurisdiction: those in force at a time (at), by tier, lifted ones too (lifted=true)", query: []string{"at", "tier", "lifted"}, response: "RiskAreaList", status: 200, handle: s.listRiskAreas},
		{method: "POST", path: "/api/v1/risk-areas", summary: "Declare a risk area from a township down, at a tier of the edition in force (riskarea.tier_invalid names them)", request: "RiskAreaInput", response: "RiskArea", status: 201, handle: s.declareRiskArea},
		{method: "GET", path: "/api/v1/risk-areas/proposals", summary: "The next tier of each area in force and when it is due, from the last infection in it", response: "StepDownList", status: 200, handle: s.riskAreaProposals},
		{method: "GET", path: "/api/v1/risk-areas/export", summary: "The risk areas of your jurisdiction as a list: XLSX (default) or CSV", query: []string{"format"}, response: "LineList", status: 200, handle: s.riskAreaExport},
		{method: "GET", path: "/api/v1/risk-areas/{id}", summary: "One risk area", response: "RiskArea", status: 200, handle: s.getRiskArea},
		{method: "POST", path: "/api/v1/risk-areas/{id}/step-down", summary: "Confirm an area's step-down once due (riskarea.step_down_not_due)", response: "RiskArea", status: 200, handle: s.stepDownRiskArea},
		{method: "POST", path: "/api/v1/risk-areas/{id}/lift", summary: "Lift an area now, with a reason", request: "ReasonRequest", status: 204, handle: s.liftRiskArea},
		{method: "GET", path: "/api/v1/public/risk-areas", public: true, summary: "Every risk area in force now (no sign-in)", response: "RiskAreaList", status: 200, handle: s.publicRiskAreas},
		{method: "POST", path: "/api/v1/checks", summary: "The three-code check at a venue or checkpoint: the code's colour now, the itinerary card, and the scan-in recorded", request: "CheckInput", response: "CheckResult", status: 200, handle: s.check},
		{method: "POST", path: "/api/v1/public/health-code/pass", public: true, summary: "Open your own code with your identity number and phone (no sign-in); send the pass back as X-Cordon-Pass", request: "PassRequest", response: "PassResponse", status: 200, handle: s.personPass},
		{method: "GET", path: "/api/v1/public/health-code", public: true, summary: "Your own code with a fresh signed token (header X-Cordon-Pass); refresh every minute", response: "CodeToken", status: 200, handle: s.ownCode},
		{method: "POST", path: "/api/v1/public/health-code/window", public: true, summary: "Ask for your one-time travel window (header X-Cordon-Pass)", request: "WindowRequest", response: "HealthCodeStatus", status: 200, handle: s.ownCodeWindow},

		{method: "POST", path: "/api/v1/sites", summary: "Register an isolation site (hotel, centre) with its manager and staff", request: "SiteInput", response: "Site", status: 201, handle: s.createSite},
		{method: "GET", path: "/api/v1/sites", summary: "Isolation sites of your jurisdiction with their occupancy, newest first", query: []string{"within", "cursor", "limit"}, response: "SiteList", status: 200, handle: s.listSites},
		{method: "GET", path: "/api/v1/sites/occupancy", summary: "Capacity, occupied and free beds per site, per county and in all (commanders' overview)", query: []string{"jurisdiction"}, response: "OccupancyReport", status: 200, handle: s.siteOccupancy},
		{method: "GET", path: "/api/v1/sites/{id}", summary: "One site with its rooms, the people in each and their health check of today, and the latest departures (audited; masked by role)", response: "Site", status: 200, handle: s.getSite},
		{method: "PUT", path: "/api/v1/sites/{id}", summary: "Change a site (optimistic version check); open false closes it to arrivals", request: "SiteInput", response: "Site", status: 200, handle: s.updateSite},
		{method: "POST", path: "/api/v1/sites/{id}/rooms", summary: "Add rooms to a site", request: "RoomBatch", response: "RoomList", status: 201, handle: s.addRooms},
		{method: "POST", path: "/api/v1/sites/{id}/arrivals", summary: "People arriving at a site, whole households at once: each gets a room, households kept together; all or nothing (site.full, site.room_full, site.already_assigned)", request: "Arrivals", response: "StayList", status: 201, handle: s.arrive},
		{method: "POST", path: "/api/v1/stays/{id}/depart", summary: "End a stay: released, hospital or other", request: "Departure", response: "Stay", status: 200, handle: s.depart},
		{method: "POST", path: "/api/v1/stays/{id}/transfer", summary: "Move a person to another room or site in one step: the stay ends as transferred, the new one is answered", request: "TransferInput", response: "Stay", status: 201, handle: s.transfer},
		{method: "POST", path: "/api/v1/health-checks", summary: "Record a daily health check (temperature, symptoms); a fever of 37.3 °C or more or a listed symptom raises an alert", request: "HealthCheckInput", response: "HealthCheck", status: 201, handle: s.recordHealthCheck},
		{method: "GET", path: "/api/v1/health-checks/missing", summary: "People staying at sites of an area who have not reported a health check today (audited)", query: []string{"jurisdiction"}, response: "StayList", status: 200, handle: s.missingHealthChecks},
		{method: "GET", path: "/api/v1/persons/{id}/health-checks", summary: "A person's health checks, latest first (audited)", response: "HealthCheckList", status: 200, handle: s.personHealthChecks},
		{method: "GET", path: "/api/v1/persons/{id}/health-check-link", summary: "The person's signed self-report link /h/{token}, for staff to hand over (audited)", response: "CheckLink", status: 200, handle: s.healthCheckLink},
		{method: "GET", path: "/api/v1/alerts", summary: "Health-check alerts of your jurisdiction, newest first (audited; masked by role)", query: []string{"open", "cursor", "limit"}, response: "AlertList", status: 200, handle: s.listAlerts},
		{method: "POST", path: "/api/v1/alerts/{id}/ack", summary: "Acknowledge an alert (audited)", response: "Alert", status: 200, handle: s.ackAlert},
		{method: "GET", path: "/api/v1/checkpoints", summary: "Road checkpoints (卡点) of your jurisdiction", response: "CheckpointList", status: 200, handle: s.listCheckpoints},
		{method: "POST", path: "/api/v1/checkpoints", summary: "Register a checkpoint in a county or deeper: kind, road, direction labels, staff and hours", request: "CheckpointInput", response: "Checkpoint", status: 201, handle: s.createCheckpoint},
		{method: "GET", path: "/api/v1/checkpoints/{id}", summary: "One checkpoint", response: "Checkpoint", status: 200, handle: s.getCheckpoint},
		{method: "PUT", path: "/api/v1/checkpoints/{id}", summary: "Change a checkpoint (optimistic version check); active false closes it", request: "CheckpointInput", response: "Checkpoint", status: 200, handle: s.updateCheckpoint},
		{method: "POST", path: "/api/v1/checkpoints/{id}/passages", summary: "A traveller passing: the three-code check on a scanned code or typed identity number (or a name and phone), the passage stored with the colour; 201 when stored, 200 for a bad token (nothing stored) or a key sent before (passage.plate_invalid, healthcode.scan_time_invalid)", request: "PassageInput", response: "PassageResult", status: 201, handle: s.recordPassage},
		{method: "GET", path: "/api/v1/checkpoints/{id}/counts", summary: "Passages in and out per hour of a Beijing day (default today)", query: []string{"day"}, response: "PassageCountList", status: 200, handle: s.checkpointCounts},
		{method: "GET", path: "/api/v1/checkpoints/{id}/passages", summary: "A checkpoint's passages of a Beijing day, latest first (audited; masked by role)", query: []string{"day", "limit"}, response: "PassageList", status: 200, handle: s.checkpointPassages},

		{method: "GET", path: "/api/v1/peers", summary: "Other cordon instances this one exchanges signed messages with, and the counts of their outboxes", response: "PeerList", status: 200, handle: s.listPeers},
		{method: "POST", path: "/api/v1/peers", summary: "Register another instance: name, base URL, its public key (from its /.well-known/cordon/instance) and the division-code prefixes it serves (peer.key_invalid, peer.taken)", request: "PeerInput", response: "Peer", status: 201, handle: s.createPeer},
		{method: "GET", path: "/api/v1/peers/{id}", summary: "One peer", response: "Peer", status: 200, handle: s.getPeer},
		{method: "PUT", path: "/api/v1/peers/{id}", summary: "Change a peer (optimistic version check); active false stops delivery to it and refuses its messages", request: "PeerInput", response: "Peer", status: 200, handle: s.updatePeer},
		{method: "GET", path: "/api/v1/peers/{id}/messages", summary: "A peer's outbox, newest first: status, attempts, last error", query: []string{"status", "limit"}, response: "PeerMessageList", status: 200, handle: s.peerMessages},
		{method: "POST", path: "/api/v1/peers/{id}/ping", summary: "Queue a test message (peer.ping) to a peer; its acknowledgement in the outbox shows that both sides have each other's names and keys right", response: "PeerReceipt", status: 202, handle: s.pingPeer},
		{method: "POST", path: "/api/v1/peers/{id}/messages/{message}/retry", summary: "Send a pending or failed message again now", status: 204, handle: s.retryPeerMessage},
		{method: "POST", path: "/api/v1/peer/messages", public: true, summary: "A signed message from another instance (headers Cordon-Key-Id and Cordon-Signature, the Ed25519 signature of the exact body; no token): 200 when handled or replayed (peer.unsigned, peer.signature_invalid, peer.unknown, peer.inactive, peer.wrong_recipient, peer.kind_unknown, peer.malformed, peer.too_large)", request: "PeerEnvelope", response: "PeerReceipt", status: 200, handle: s.receivePeerMessage},
		{method: "GET", path: "/api/v1/peer/instance", public: true, summary: "This instance's name and public key, as at /.well-known/cordon/instance", response: "Instance", status: 200, handle: s.instance},

		{method: "POST", path: "/api/v1/assist-requests", summary: "Send assist requests (协查) about people given by person_id or typed (name, id_number, phone, residence/current codes, places, note): one letter per county where they are now (else live); rows in error answered with their code and left out (assist.id_number_invalid, assist.division_unknown, assist.place_unknown, assist.person_unknown), duplicates merged, people of your own subtree not sent", request: "AssistInput", response: "AssistFanOut", status: 201, handle: s.createAssist},
		{method: "POST", path: "/api/v1/assist-requests/upload", summary: "Send assist requests about the people of an uploaded XLSX/CSV list (姓名, 证件号码, 手机号码, 现住辖区代码, 户籍辖区代码, 途经地点, 协查原因), as the body or the file part of a form; reason, source and contact as query parameters", query: []string{"reason", "source", "contact", "name"}, response: "AssistFanOut", status: 201, handle: s.uploadAssist},
		{method: "GET", path: "/api/v1/assist-requests", summary: "Assist requests received by your jurisdiction (box=received, default) or sent from it (box=sent), newest first, with counts per status", query: []string{"box", "cursor", "limit"}, response: "AssistRequestList", status: 200, handle: s.listAssist},
		{method: "GET", path: "/api/v1/assist-requests/overdue", summary: "People of requests received in your jurisdiction past their 24 h without a final outcome, the longest overdue first (audited; masked by role)", query: []string{"limit"}, response: "AssistOverdueList", status: 200, handle: s.overdueAssist},
		{method: "GET", path: "/api/v1/assist-requests/{id}", summary: "One assist request with its people and where each stands (audited; masked by role)", response: "AssistRequest", status: 200, handle: s.getAssist},
		{method: "POST", path: "/api/v1/assist-requests/{id}/people/{pos}/outcome", summary: "As the receiver, record located, contacted, tested, controlled or not_found for a person (assist.status_backwards, assist.person_closed, assist.not_receiver)", request: "AssistOutcome", response: "AssistPerson", status: 200, handle: s.assistOutcome},
		{method: "POST", path: "/api/v1/assist-requests/{id}/people/{pos}/grid", summary: "As the receiver, assign a person to a grid of the county (assist.grid_invalid)", request: "AssistGrid", response: "AssistPerson", status: 200, handle: s.assistAssign},
		{method: "POST", path: "/api/v1/assist-requests/{id}/people/{pos}/forward", summary: "As the receiver, record that a person moved on and send a new request about them to the county they went to, linked to this one (assist.forward_same)", request: "AssistForward", response: "AssistRequest", status: 201, handle: s.assistForward},
		{method: "GET", path: "/api/v1/assist-requests/{id}/export", summary: "The people of a request with their outcomes as a line list: XLSX (default) or CSV (audited; masked by role)", query: []string{"format"}, response: "LineList", status: 200, handle: s.assistExport},
		{method: "GET", path: "/api/v1/assist-requests/{id}/letter.pdf", summary: "The assist letter (协查函) as an A4 PDF: number, to and from, reason, the people, contact, date and stamp area (audited; masked by role)", status: 200, handle: s.assistLetter},

		{method: "POST", path: "/api/v1/arrivals", summary: "Record an arrival from a staff channel (checkpoint, station, big_data, door): merged into the person's arrival of the same trip (200) or a new one (201), matched against risk areas and case cities, with the obligations of the edition at the destination (arrival.channel_invalid, arrival.destination_unknown, arrival.outside_jurisdiction, ...)", request: "TripReport", response: "TripView", status: 201, handle: s.recordArrival},
		{method: "GET", path: "/api/v1/arrivals", summary: "Arrivals into your jurisdiction, newest first, with sources and obligations (audited; masked by role)", query: []string{"population", "since", "person_id", "cursor", "limit"}, response: "TripList", status: 200, handle: s.listArrivals},
		{method: "GET", path: "/api/v1/arrivals/{id}", summary: "One arrival with its travel, sources, matched risk areas and obligations (audited; masked by role)", response: "Trip", status: 200, handle: s.getArrival},
		{method: "GET", path: "/api/v1/arrival-tasks", summary: "Arrivals' open test obligations in your jurisdiction, earliest due first, or only the overdue ones; status open, met or superseded (obligation.filter_invalid; audited; masked by role)", query: []string{"overdue", "status", "limit"}, response: "ObligationList", status: 200, handle: s.arrivalTasks},
		{method: "POST", path: "/api/v1/obligations/{id}/meet", summary: "Mark an open test obligation met by a test cordon does not see, saying where (obligation.note_required, obligation.not_open)", request: "MeetRequest", response: "Obligation", status: 200, handle: s.meetObligation},
		{method: "POST", path: "/api/v1/public/arrivals", public: true, summary: "A traveller's own arrival report (来返人员报备), before arriving or after, without sign-in: answered with the population and what is owed, the traveller masked", request: "TripReport", response: "ArrivalAnswer", status: 201, handle: s.reportArrival},

		{method: "POST", path: "/api/v1/imports", summary: "Import a line list of a kind (cases), sent as the body (text/csv or XLSX, file name in name) or as the file part of a multipart form: 201 with the finished job for a small file, 202 with the running job otherwise", query: []string{"kind", "name"}, response: "ImportJob", status: 202, handle: s.startImport},
		{method: "GET", path: "/api/v1/imports", summary: "Your imports, newest first", query: []string{"cursor", "limit"}, response: "ImportList", status: 200, handle: s.listImports},
		{method: "GET", path: "/api/v1/imports/{id}", summary: "An import's status and counts, with a page of its row errors (line, column, stable code)", query: []string{"cursor", "limit"}, response: "ImportDetail", status: 200, handle: s.getImport},

		{method: "GET", path: "/api/v1/audit", summary: "Browse the audit log", query: []string{"username", "action", "record", "since", "until", "cursor", "limit"}, response: "AuditList", status: 200, handle: s.auditLog},
	}
}

// wrap authenticates the bearer token (unless the route is public) and
// hands the handler its actor.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := cordon.Actor{RequestID: r.Header.Get("X-Request-Id"), Remote: remoteIP(r)}
		if !rt.public {
			acct, err := s.authenticate(r.Context(), r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			a := acct.Actor()
			a.RequestID, a.Remote = actor.RequestID, actor.Remote
			actor = a
		}
		rt.handle(w, r, actor)
	})
}

func (s *Server) authenticate(ctx context.Context, r *http.Request) (cordon.Account, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return cordon.Account{}, cordon.ErrUnauthorized
	}
	return s.app.Token(ctx, strings.TrimSpace(token))
}

// remoteIP is the client address without the port.
func remoteIP(r *http.Request) string {
	h := r.RemoteAddr
	if i := strings.LastIndexByte(h, ':'); i > 0 {
		h = h[:i]
	}
	return strings.Trim(h, "[]")
}

// reason is the purpose a reader gives for reading personal data, sent as
// the X-Reason header; it goes to the audit log.
func reason(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("X-Reason"))
	if len(v) > 200 {
		v = v[:200]
	}
	return v
}
