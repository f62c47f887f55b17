package mllp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

func TestReadFrame(t *testing.T) {
	in := "\r\n" + string(Frame([]byte("MSH|one\rPID|1"))) + string(Frame([]byte("MSH|two")))
	r := bufio.NewReader(strings.NewReader(in))
	for _, want := range []string{"MSH|one\rPID|1", "MSH|two"} {
		got, err := ReadFrame(r)
		if err != nil || string(got) != want {
			t.Fatalf("ReadFrame = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := ReadFrame(r); !errors.Is(err, io.EOF) {
		t.Errorf("after the last frame: %v, want EOF", err)
	}
	for _, bad := range []string{"MSH|no start", "\x0bMSH|no end", "\x0bMSH|wrong end\x1cX"} {
		if _, err := ReadFrame(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("ReadFrame(%q) accepted it", bad)
		}
	}
	big := append([]byte{startBlock}, bytes.Repeat([]byte("x"), MaxMessage+10)...)
	if _, err := ReadFrame(bufio.NewReader(bytes.NewReader(big))); err == nil {
		t.Error("a message over the limit was read")
	}
}

// The server answers each message before reading the next, in order, and
// finishes the message in hand when it shuts down.
func TestServerAnswersInOrder(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Log: slog.New(slog.DiscardHandler), Handler: func(_ context.Context, msg []byte) []byte {
		return append([]byte("ACK:"), msg...)
	}}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for _, m := range []string{"first", "second", "third"} {
		if _, err := c.Write(Frame([]byte(m))); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		ack, err := ReadFrame(r)
		if err != nil || string(ack) != "ACK:"+m {
			t.Fatalf("answer to %s: %q, %v", m, ack, err)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the context ended")
	}
}
