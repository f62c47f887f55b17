package cordon

// Role is what an account does in the response. It decides which operations
// the account may perform; its jurisdiction decides on which records.
type Role string

// The roles of cordon's staff (DESIGN.md "Who uses it").
const (
	RoleAdmin          Role = "admin"          // 管理员
	RoleCommander      Role = "commander"      // 指挥部
	RoleEpidemiologist Role = "epidemiologist" // 流调队员
	RoleGridWorker     Role = "grid_worker"    // 网格员
	RoleSampler        Role = "sampler"        // 采样员
	RoleLab            Role = "lab"            // 检测机构
	RoleCheckpoint     Role = "checkpoint"     // 卡点/口岸
	RoleIsolationSite  Role = "isolation_site" // 隔离点
	RoleViewer         Role = "viewer"         // 只读
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{RoleAdmin, RoleCommander, RoleEpidemiologist, RoleGridWorker, RoleSampler, RoleLab, RoleCheckpoint, RoleIsolationSite, RoleViewer}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Permission names an operation that a role may or may not perform.
type Permission string

// The permissions checked in internal/app.
const (
	PermPersonRead       Permission = "person.read"      // see persons, masked
	PermPersonReadFull   Permission = "person.read_full" // see ID numbers and phones unmasked
	PermPersonWrite      Permission = "person.write"     // create and edit persons
	PermPersonMerge      Permission = "person.merge"     // join duplicate records
	PermJurisdictionRead Permission = "jurisdiction.read"
	PermGridManage       Permission = "grid.manage"       // create and rename grids
	PermAccountManage    Permission = "account.manage"    // create, disable, reset accounts
	PermAuditRead        Permission = "audit.read"        // browse the audit log
	PermTestingRead      Permission = "testing.read"      // rounds, points, progress, labs
	PermTestingManage    Permission = "testing.manage"    // open rounds, register points and labs
	PermSampleWrite      Permission = "sample.write"      // register samples, hand over boxes
	PermLabWrite         Permission = "lab.write"         // receive boxes, upload results, resolve the inbox
	PermRecallRead       Permission = "recall.read"       // the recall list of people held for a retest
	PermPositiveRead     Permission = "positive.read"     // positive single tubes
	PermCaseRead         Permission = "case.read"         // cases and their history
	PermCaseWrite        Permission = "case.write"        // open, reclassify and report cases
	PermPolicyManage     Permission = "policy.manage"     // choose the policy edition in force and override its values
	PermVenueRead        Permission = "venue.read"        // venues and their codes
	PermVenueManage      Permission = "venue.manage"      // register venues, print and reissue their codes
	PermScanInWrite      Permission = "scanin.write"      // record scan-ins from venue devices and reverse scanning
	PermScanInRead       Permission = "scanin.read"       // itineraries and companion search over scan-ins
	PermContactRead      Permission = "contact.read"      // close and secondary contacts, their exposures and status
	PermContactWrite     Permission = "contact.write"     // add contacts and exposures, control, release, match and merge them
	PermOrderRead        Permission = "order.read"        // control orders, their test days, checks and releases
	PermOrderWrite       Permission = "order.write"       // create and extend orders, release them when their conditions hold
	PermOrderOverride    Permission = "order.override"    // release an order early, with a reason
	PermSiteRead         Permission = "site.read"         // isolation sites, rooms and occupancy
	PermSiteManage       Permission = "site.manage"       // register sites and rooms, arrivals, departures, rooms, transfers
	PermHealthCheckWrite Permission = "healthcheck.write" // record daily temperature and symptoms
	PermHealthCodeRead   Permission = "healthcode.read"   // a person's code colour, reasons and history
	PermHealthCodeManage Permission = "healthcode.manage" // set or revert a colour by hand, print codes, grant travel windows
	PermMeasureManage    Permission = "measure.manage"    // area measures on a jurisdiction's codes
	PermCodeCheck        Permission = "codecheck.write"   // the three-code check at venues and checkpoints
	PermRiskAreaManage   Permission = "riskarea.manage"   // declare, step down and lift risk areas
	PermCheckpointManage Permission = "checkpoint.manage" // register road checkpoints, their staff and hours
	PermPassageWrite     Permission = "passage.write"     // record passages at a checkpoint
	PermArrivalRead      Permission = "arrival.read"      // arrivals, their travel and obligations, overdue lists
	PermArrivalWrite     Permission = "arrival.write"     // record and import arrivals, mark obligations met
	PermAssistRead       Permission = "assist.read"       // assist requests sent and received, and their progress
	PermAssistWrite      Permission = "assist.write"      // send assist requests, assign and report on their people
	PermPeerManage       Permission = "peer.manage"       // exchange keys with other cordon instances
)

// grants is the role matrix. Unmasked personal data goes only to roles that
// must call or identify people in their work: epidemiologists, grid workers
// and isolation-site managers; administrators for corrections and merges.
// AllPermissions lists every permission.
var AllPermissions = []Permission{PermPersonRead, PermPersonReadFull, PermPersonWrite, PermPersonMerge, PermJurisdictionRead,
	PermGridManage, PermAccountManage, PermAuditRead, PermTestingRead, PermTestingManage, PermSampleWrite, PermLabWrite,
	PermRecallRead, PermPositiveRead, PermCaseRead, PermCaseWrite, PermPolicyManage, PermVenueRead, PermVenueManage,
	PermScanInWrite, PermScanInRead, PermContactRead, PermContactWrite, PermOrderRead, PermOrderWrite, PermOrderOverride,
	PermSiteRead, PermSiteManage, PermHealthCheckWrite, PermHealthCodeRead, PermHealthCodeManage, PermMeasureManage, PermCodeCheck,
	PermRiskAreaManage, PermCheckpointManage, PermPassageWrite, PermArrivalRead, PermArrivalWrite, PermAssistRead, PermAssistWrite,
	PermPeerManage}

var grants = map[Role][]Permission{
	RoleAdmin: {PermPersonRead, PermPersonReadFull, PermPersonWrite, PermPersonMerge, PermJurisdictionRead, PermGridManage, PermAccountManage, PermAuditRead,
		PermTestingRead, PermTestingManage, PermSampleWrite, PermLabWrite, PermRecallRead, PermPositiveRead, PermCaseRead, PermCaseWrite,
		PermPolicyManage, PermVenueRead, PermVenueManage, PermScanInWrite, PermScanInRead, PermContactRead, PermContactWrite,
		PermOrderRead, PermOrderWrite, PermOrderOverride, PermSiteRead, PermSiteManage, PermHealthCheckWrite, PermHealthCodeRead,
		PermHealthCodeManage, PermMeasureManage, PermCodeCheck, PermRiskAreaManage, PermCheckpointManage, PermPassageWrite,
		PermArrivalRead, PermArrivalWrite, PermAssistRead, PermAssistWrite, PermPeerManage},
	RoleCommander: {PermPersonRead, PermJurisdictionRead, PermTestingRead, PermTestingManage, PermRecallRead, PermPositiveRead, PermCaseRead, PermVenueRead, PermContactRead, PermScanInRead,
		PermOrderRead, PermOrderOverride, PermSiteRead, PermHealthCodeRead, PermMeasureManage, PermRiskAreaManage, PermCheckpointManage,
		PermArrivalRead, PermAssistRead, PermAssistWrite},
	RoleEpidemiologist: {PermPersonRead, PermPersonReadFull, PermPersonWrite, PermPersonMerge, PermJurisdictionRead, PermTestingRead, PermRecallRead, PermPositiveRead, PermCaseRead, PermCaseWrite, PermVenueRead, PermScanInRead, PermContactRead, PermContactWrite,
		PermOrderRead, PermOrderWrite, PermSiteRead, PermHealthCheckWrite, PermHealthCodeRead, PermArrivalRead, PermArrivalWrite,
		PermAssistRead, PermAssistWrite},
	RoleGridWorker: {PermPersonRead, PermPersonReadFull, PermPersonWrite, PermJurisdictionRead, PermTestingRead, PermRecallRead, PermVenueRead, PermVenueManage, PermScanInWrite, PermContactRead, PermContactWrite,
		PermOrderRead, PermHealthCheckWrite, PermHealthCodeRead, PermCodeCheck, PermArrivalRead, PermArrivalWrite, PermAssistRead,
		PermAssistWrite},
	RoleSampler: {PermPersonRead, PermPersonWrite, PermJurisdictionRead, PermTestingRead, PermSampleWrite, PermHealthCodeRead, PermCodeCheck, PermArrivalWrite},
	RoleLab:     {PermPersonRead, PermJurisdictionRead, PermTestingRead, PermLabWrite},
	RoleCheckpoint: {PermPersonRead, PermPersonWrite, PermJurisdictionRead, PermTestingRead, PermVenueRead, PermScanInWrite, PermHealthCodeRead, PermCodeCheck,
		PermPassageWrite, PermArrivalWrite},
	RoleIsolationSite: {PermPersonRead, PermPersonReadFull, PermPersonWrite, PermJurisdictionRead, PermTestingRead, PermContactRead,
		PermOrderRead, PermOrderWrite, PermSiteRead, PermSiteManage, PermHealthCheckWrite, PermHealthCodeRead},
	RoleViewer: {PermPersonRead, PermJurisdictionRead, PermTestingRead, PermOrderRead, PermSiteRead},
}

// Can reports whether the role grants the permission.
func (r Role) Can(p Permission) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}

// Actor is the signed-in account on whose behalf an operation runs. Every
// operation in internal/app takes one and checks it.
type Actor struct {
	AccountID    int64
	Username     string
	Role         Role
	Jurisdiction string // the root of the subtree the account sees
	RequestID    string // for the audit log
	Remote       string // client address, for the audit log
}

// Can reports whether the actor's role grants the permission.
func (a Actor) Can(p Permission) bool { return a.AccountID != 0 && a.Role.Can(p) }

// Sees reports whether the jurisdiction code lies inside the actor's subtree.
func (a Actor) Sees(code string) bool { return Within(code, a.Jurisdiction) }
