package web

import "net/http"

// access says what a route needs before its handler runs.
type access int

const (
	static access = iota // nothing: content-hashed files, no cookies
	open                 // anyone; a session is loaded when there is one
	member               // a signed-in account; others go to /login
	upload               // a signed-in account posting a file or a JSON batch: a larger body
)

// route is one line of the route table.
type route struct {
	pattern string
	access  access
	handler http.HandlerFunc
}

// routes is the one table of the staff pages. Authorisation by role is
// app's: the table only separates signed-in pages from the rest.
func (s *server) routes() []route {
	return []route{
		{"GET /static/{file...}", static, s.serveAsset},
		{"GET /favicon.ico", static, s.favicon},

		{"GET /login", open, s.loginForm},
		{"POST /login", open, s.login},
		{"POST /logout", member, s.logout},
		{"POST /lang", open, s.setLanguage},

		{"GET /{$}", member, s.home},

		{"GET /persons", member, s.personList},
		{"GET /persons/new", member, s.personNew},
		{"POST /persons", member, s.personCreate},
		{"GET /persons/{id}", member, s.personShow},
		{"GET /persons/{id}/edit", member, s.personEdit},
		{"POST /persons/{id}", member, s.personUpdate},
		{"POST /persons/{id}/merge", member, s.personMerge},

		{"GET /jurisdictions", member, s.jurisdictionSearch},
		{"GET /jurisdictions/{code}", member, s.jurisdictionShow},

		{"GET /grids", member, s.gridList},
		{"POST /grids", member, s.gridCreate},
		{"POST /grids/{code}", member, s.gridRename},

		{"GET /accounts", member, s.accountList},
		{"POST /accounts", member, s.accountCreate},
		{"POST /accounts/{id}/disable", member, s.accountDisable},
		{"POST /accounts/{id}/enable", member, s.accountEnable},
		{"POST /accounts/{id}/password", member, s.accountResetPassword},

		{"GET /audit", member, s.auditList},
		{"GET /peers", member, s.peerList},
		{"POST /peers", member, s.peerCreate},
		{"GET /peers/{id}", member, s.peerShow},
		{"POST /peers/{id}", member, s.peerUpdate},
		{"POST /peers/{id}/deactivate", member, s.peerDeactivate},
		{"POST /peers/{id}/ping", member, s.peerPing},
		{"POST /peers/{id}/messages/{message}/retry", member, s.peerRetry},
		// This instance's name and public key, for the administrators of
		// other instances: no sign-in.
		{"GET /.well-known/cordon/instance", open, s.instance},

		{"GET /rounds", member, s.roundList},
		{"GET /rounds/new", member, s.roundNew},
		{"POST /rounds", member, s.roundCreate},
		{"GET /rounds/{id}", member, s.roundShow},
		{"GET /rounds/{id}/progress", member, s.roundProgress},
		{"POST /rounds/{id}/close", member, s.roundClose},
		{"GET /rounds/{id}/unsampled", member, s.roundUnsampled},

		{"GET /sampling-points", member, s.pointList},
		{"GET /sampling-points/new", member, s.pointNew},
		{"POST /sampling-points", member, s.pointCreate},
		{"GET /sampling-points/capacity", member, s.pointCapacity},
		{"GET /sampling-points/{id}/edit", member, s.pointEdit},
		{"POST /sampling-points/{id}", member, s.pointUpdate},
		{"GET /public/sampling-points", open, s.publicPoints},

		{"GET /sampling", member, s.sampling},
		{"POST /sampling", member, s.samplingRegister},
		{"POST /sampling/samples", upload, s.samplingBatch},
		{"POST /sampling/tubes/close", member, s.samplingCloseTube},
		{"POST /sampling/queue", member, s.samplingQueue},

		{"GET /boxes/new", member, s.boxNew},
		{"POST /boxes", member, s.boxHandOver},
		{"GET /boxes/receive", member, s.boxReceiveForm},
		{"POST /boxes/receive", upload, s.boxReceive},

		{"GET /labs", member, s.labList},
		{"POST /labs", member, s.labCreate},
		{"GET /labs/{id}", member, s.labShow},
		{"GET /lab/upload", member, s.labUploadForm},
		{"POST /lab/upload", upload, s.labUpload},
		{"GET /lab/inbox", member, s.labInbox},
		{"POST /lab/inbox/{id}", member, s.labInboxResolve},

		{"GET /recalls", member, s.recallList},
		{"GET /positives", member, s.positiveList},

		{"GET /cases", member, s.caseList},
		{"GET /cases/new", member, s.caseNew},
		{"POST /cases", member, s.caseOpen},
		{"GET /cases/{id}", member, s.caseShow},
		{"POST /cases/{id}", member, s.caseUpdate},
		{"POST /cases/{id}/steps", member, s.caseStep},
		{"POST /cases/{id}/links", member, s.caseLink},
		{"GET /cases/{id}/contacts/new", member, s.contactNew},
		{"POST /cases/{id}/contacts", member, s.contactCreate},
		{"GET /contacts", member, s.contactList},
		{"GET /contacts/export", member, s.contactExport},
		{"POST /contacts/match", member, s.contactMatch},
		{"GET /contacts/{id}", member, s.contactShow},
		{"POST /contacts/{id}", member, s.contactUpdate},
		{"POST /contacts/{id}/state", member, s.contactState},
		{"POST /contacts/{id}/exposures", member, s.contactExposure},
		{"GET /contacts/{id}/secondary/new", member, s.contactSecondaryNew},
		{"POST /contacts/{id}/secondary", member, s.contactSecondary},
		{"POST /contacts/{id}/person", member, s.contactPerson},
		{"POST /contacts/{id}/merge", member, s.contactMerge},
		{"GET /orders", member, s.orderList},
		{"GET /orders/new", member, s.orderNew},
		{"POST /orders", member, s.orderCreate},
		{"GET /orders/tasks", member, s.orderTasks},
		{"GET /orders/{id}", member, s.orderShow},
		{"POST /orders/{id}/release", member, s.orderRelease},
		{"GET /orders/{id}/document.pdf", member, s.orderDocument},
		{"GET /cases/{id}/investigation", member, s.investigationShow},
		// The whole investigation is one form: a long itinerary is more
		// than a plain form's limit.
		{"POST /cases/{id}/investigation", upload, s.investigationSave},
		{"GET /cases/{id}/investigation/report.pdf", member, s.investigationReport},
		{"GET /chains", member, s.chains},
		{"GET /chains.json", member, s.chainsJSON},
		{"GET /chains/{id}/export", member, s.chainExport},
		{"GET /cases/{id}/companions", member, s.companions},
		{"POST /cases/{id}/companions/{person}/contact", member, s.companionToContact},

		{"GET /venues", member, s.venueList},
		{"GET /venues/new", member, s.venueNew},
		{"POST /venues", member, s.venueCreate},
		{"GET /venues/{id}", member, s.venueShow},
		{"GET /venues/{id}/edit", member, s.venueEdit},
		{"POST /venues/{id}", member, s.venueUpdate},
		{"POST /venues/{id}/code", member, s.venueReissue},
		{"GET /venues/{id}/poster.pdf", member, s.venuePoster},
		// The public scan-in page: no sign-in; its form carries the
		// pre-session CSRF token like the login form.
		{"GET /s/{code}", open, s.scanInForm},
		{"POST /s/{code}", open, s.scanInRecord},

		{"GET /sites", member, s.siteList},
		{"GET /sites/new", member, s.siteNew},
		{"POST /sites", member, s.siteCreate},
		{"GET /sites/{id}", member, s.siteShow},
		{"GET /sites/{id}/edit", member, s.siteEdit},
		{"POST /sites/{id}", member, s.siteUpdate},
		{"POST /sites/{id}/rooms", member, s.siteRooms},
		{"POST /sites/{id}/arrivals", member, s.siteArrive},
		{"POST /sites/{id}/checks", member, s.siteCheck},
		{"POST /stays/{id}/depart", member, s.stayDepart},
		{"POST /stays/{id}/transfer", member, s.stayTransfer},
		{"GET /persons/{id}/health-check-link", member, s.healthCheckLink},
		{"GET /alerts", member, s.alertList},
		{"POST /alerts/{id}/ack", member, s.alertAck},
		// The public self-report page of a person's signed link: no
		// sign-in; its form carries the pre-session CSRF token.
		{"GET /h/{token}", open, s.healthSelfForm},
		{"POST /h/{token}", open, s.healthSelfReport},

		{"GET /policies", member, s.policies},
		{"POST /policies", member, s.policySet},

		{"GET /imports", member, s.importList},
		{"GET /imports/new", member, s.importNew},
		{"POST /imports", upload, s.importCreate},
		{"GET /imports/{id}", member, s.importShow},
		{"GET /imports/{id}/progress", member, s.importProgress},

		// A person's own health code: no sign-in; the pass that opens it
		// is a cookie, and its forms carry the pre-session CSRF token.
		{"GET /me", open, s.ownCodeForm},
		{"POST /me", open, s.ownCodeOpen},
		{"GET /me/code", open, s.ownCodeShow},
		{"GET /me/code.json", open, s.ownCodeJSON},
		{"POST /me/window", open, s.ownCodeWindow},
		{"POST /me/signout", open, s.ownCodeSignOut},
		{"GET /persons/{id}/health-code.pdf", member, s.printedCode},
		{"POST /persons/{id}/health-code", member, s.codeSet},
		{"POST /persons/{id}/health-code/window", member, s.codeWindowGrant},
		{"POST /health-code-marks/{id}/revoke", member, s.codeMarkRevoke},
		{"GET /measures", member, s.measureList},
		{"POST /measures", member, s.measureTake},
		{"POST /measures/{id}/end", member, s.measureEnd},
		{"GET /risk-areas", open, s.riskAreaList},
		{"POST /risk-areas", member, s.riskAreaDeclare},
		{"POST /risk-areas/{id}/step-down", member, s.riskAreaStepDown},
		{"POST /risk-areas/{id}/lift", member, s.riskAreaLift},
		{"GET /verify", member, s.verifyPage},
		{"POST /verify", member, s.verifyToken},
		{"GET /check", member, s.checkPage},
		{"POST /check", member, s.checkScan},
		{"GET /checkpoints", member, s.checkpointList},
		{"POST /checkpoints", member, s.checkpointCreate},
		{"GET /checkpoints/{id}/pass", member, s.passForm},
		{"POST /checkpoints/{id}/pass", member, s.passRecord},
		{"GET /assist", member, s.assistList},
		{"GET /assist/new", member, s.assistNew},
		{"POST /assist", upload, s.assistCreate},
		{"GET /assist/overdue", member, s.assistOverdue},
		{"GET /assist/{id}", member, s.assistShow},
		{"GET /assist/{id}/progress", member, s.assistProgress},
		{"GET /assist/{id}/export", member, s.assistExport},
		{"GET /assist/{id}/letter.pdf", member, s.assistLetter},
		{"POST /assist/{id}/people/{pos}/outcome", member, s.assistOutcome},
		{"POST /assist/{id}/people/{pos}/grid", member, s.assistAssign},
		{"POST /assist/{id}/people/{pos}/forward", member, s.assistForward},

		// The traveller's own arrival report: no sign-in; its form carries
		// the pre-session CSRF token.
		{"GET /arrive", open, s.arriveForm},
		{"POST /arrive", open, s.arriveReport},
		{"GET /arrivals", member, s.arrivalList},
		{"GET /arrivals/new", member, s.arrivalNew},
		{"POST /arrivals", member, s.arrivalCreate},
		{"GET /arrivals/tasks", member, s.arrivalTasks},
		{"GET /arrivals/{id}", member, s.arrivalShow},
		{"POST /obligations/{id}/meet", member, s.obligationMeet},

		{"/", open, s.notFound},
	}
}

// handler mounts the route table, wrapping each route in the middleware
// its access needs.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.chain(rt.access, rt.handler))
	}
	return mux
}

// chain composes the middleware of one route, outermost first.
func (s *server) chain(a access, h http.Handler) http.Handler {
	var mw []func(http.Handler) http.Handler
	switch a {
	case open:
		mw = []func(http.Handler) http.Handler{s.sameOrigin, s.visitor, s.checkCSRF(maxFormBytes)}
	case member:
		mw = []func(http.Handler) http.Handler{s.sameOrigin, s.visitor, s.requireSignIn, s.checkCSRF(maxFormBytes)}
	case upload:
		mw = []func(http.Handler) http.Handler{s.sameOrigin, s.visitor, s.requireSignIn, s.checkCSRF(maxUploadBytes)}
	}
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}
