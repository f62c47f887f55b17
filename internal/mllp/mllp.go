// Package mllp serves HL7 v2 over the Minimal Lower Layer Protocol, as lab
// systems send results: each message is framed by a start byte (0x0B) and
// an end pair (0x1C 0x0D), and each is answered by an acknowledgement
// framed the same way before the next is read.
package mllp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// The framing bytes.
const (
	startBlock = 0x0B
	endBlock   = 0x1C
	carriage   = 0x0D
)

// MaxMessage bounds one framed message; a lab's ORU^R01 is a few KiB.
const MaxMessage = 1 << 20

// Handler answers one message with the acknowledgement to send back. It
// must not return before whatever the acknowledgement promises is done.
type Handler func(ctx context.Context, msg []byte) []byte

// Server accepts connections and answers their messages in order.
type Server struct {
	Handler     Handler
	Log         *slog.Logger
	IdleTimeout time.Duration // a connection silent this long is closed; 5 minutes when 0

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Serve accepts connections on ln until ctx ends, then closes the listener
// and every connection once its current message is answered.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.IdleTimeout == 0 {
		s.IdleTimeout = 5 * time.Minute
	}
	go func() {
		<-ctx.Done()
		ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.SetReadDeadline(time.Now()) // wakes a connection waiting for its next message
		}
		s.mu.Unlock()
	}()
	delay := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.wg.Wait()
				return nil
			}
			// Out of file descriptors and the like: wait and go on, as
			// net/http does, rather than stop taking results unnoticed.
			s.Log.Error("mllp: accept", "err", err)
			select {
			case <-time.After(delay):
			case <-ctx.Done():
			}
			delay = min(2*delay, time.Second)
			continue
		}
		delay = 5 * time.Millisecond
		s.mu.Lock()
		if s.conns == nil {
			s.conns = map[net.Conn]struct{}{}
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(ctx, c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	r := bufio.NewReader(c)
	for ctx.Err() == nil {
		c.SetReadDeadline(time.Now().Add(s.IdleTimeout))
		// Shutdown may have set an earlier deadline just before this one
		// replaced it: look again.
		if ctx.Err() != nil {
			return
		}
		msg, err := ReadFrame(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && ctx.Err() == nil {
				s.Log.Warn("mllp: connection dropped", "remote", c.RemoteAddr().String(), "err", err)
			}
			return
		}
		// The message is handled even if shutdown begins meanwhile: its
		// acknowledgement must match what was stored.
		ack := s.Handler(context.WithoutCancel(ctx), msg)
		c.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.Write(Frame(ack)); err != nil {
			s.Log.Warn("mllp: acknowledgement not sent", "remote", c.RemoteAddr().String(), "err", err)
			return
		}
	}
}

// ErrFrame reports bytes that are not an MLLP frame.
var ErrFrame = errors.New("mllp: not an MLLP frame")

// ReadFrame reads one framed message, skipping whitespace between frames.
func ReadFrame(r *bufio.Reader) ([]byte, error) {
	for {
		b, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		if b == startBlock {
			break
		}
		if b != '\r' && b != '\n' && b != ' ' {
			return nil, ErrFrame
		}
	}
	var msg []byte
	for {
		chunk, err := r.ReadSlice(endBlock)
		msg = append(msg, chunk...)
		if len(msg) > MaxMessage {
			return nil, errors.New("mllp: message over 1 MiB")
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		b, err := r.ReadByte()
		if err != nil {
			return nil, io.ErrUnexpectedEOF
		}
		if b != carriage {
			return nil, ErrFrame
		}
		return bytes.TrimSuffix(msg, []byte{endBlock}), nil
	}
}

// Frame wraps a message in MLLP framing.
func Frame(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+3)
	out = append(out, startBlock)
	out = append(out, msg...)
	return append(out, endBlock, carriage)
}
