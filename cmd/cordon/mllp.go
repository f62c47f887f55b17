package main

import (
	"context"
	"fmt"
	"log/slog"
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
// was stored (applied, or kept in the inbox); AR when results were refused
// or the message or token cannot be used (sending again will not help);
// AE when a passing fault of ours stored nothing (send again).
func mllpResults(a *app.App, token string, now func() time.Time, log *slog.Logger) mllp.Handler {
	var seq atomic.Int64
	return func(ctx context.Context, msg []byte) []byte {
		id := "CDN" + strconv.FormatInt(now().Unix(), 36) + strconv.FormatInt(seq.Add(1), 36)
		acct, err := a.Token(ctx, token)
		if err == nil {
			actor := acct.Actor()
			actor.RequestID = id
			var up cordon.LabUpload
			if up, err = a.UploadLabFile(ctx, actor, labfile.HL7, msg); err == nil {
				text := fmt.Sprintf("%d received, %d matched, %d inbox, %d rejected", up.Received, up.Matched, up.Inbox, up.Rejected)
				for _, e := range up.Errors {
					if e.Inbox == 0 { // refused, not kept
						return hl7.Ack(msg, hl7.AckReject, text+": "+e.Code, id, now())
					}
				}
				return hl7.Ack(msg, hl7.AckAccept, text, id, now())
			}
		}
		log.Warn("mllp: message not stored", "ack", id, "code", cordon.ErrorCode(err), "err", err)
		// Sending again helps only when the failure was ours and passing
		// (the database busy or unreachable); a message we cannot read, or
		// a token that no longer works, will fail again.
		switch cordon.ErrorKind(err) {
		case cordon.KindInternal, cordon.KindUnavailable:
			return hl7.Ack(msg, hl7.AckError, cordon.ErrorCode(err), id, now())
		}
		return hl7.Ack(msg, hl7.AckReject, cordon.ErrorCode(err), id, now())
	}
}
