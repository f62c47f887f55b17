package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/hl7"
	"cordon/internal/labfile"
	"cordon/internal/mllp"
)

// mllpResults stores each HL7 message received over MLLP as the lab account
// of the token, through the same path as POST /api/v1/lab-results, and
// acknowledges it only after the results are stored: AA when everything
// was stored (applied, or kept in the inbox), AR when some results were
// refused (outside the account's jurisdiction: sending again will not
// help), AE when nothing was stored (the sender should send again).
func mllpResults(a *app.App, token string, now func() time.Time) mllp.Handler {
	var seq atomic.Int64
	return func(ctx context.Context, msg []byte) []byte {
		id := "CDN" + strconv.FormatInt(now().Unix(), 36) + strconv.FormatInt(seq.Add(1), 36)
		acct, err := a.Token(ctx, token)
		if err != nil {
			return hl7.Ack(msg, hl7.AckError, "the MLLP token is not valid: "+cordon.ErrorCode(err), id, now())
		}
		actor := acct.Actor()
		actor.RequestID = id
		up, err := a.UploadLabFile(ctx, actor, labfile.HL7, msg)
		if err != nil {
			return hl7.Ack(msg, hl7.AckError, cordon.ErrorCode(err), id, now())
		}
		text := fmt.Sprintf("%d received, %d matched, %d inbox, %d rejected", up.Received, up.Matched, up.Inbox, up.Rejected)
		if up.Rejected > 0 {
			return hl7.Ack(msg, "AR", text+": "+up.Errors[0].Code, id, now())
		}
		return hl7.Ack(msg, hl7.AckAccept, text, id, now())
	}
}
