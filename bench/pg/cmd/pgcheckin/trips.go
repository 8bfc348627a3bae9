package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
)

// tripCounter is a TCP proxy to a PostgreSQL server that counts the round
// trips its clients make: the Sync messages (the end of an extended-query
// pipeline, which the client then waits on) and the simple Query messages
// they send. It reads the frontend protocol's framing only; the server's
// replies are copied as they come.
type tripCounter struct {
	ln     net.Listener
	target string
	n      atomic.Int64
	wg     sync.WaitGroup
}

// startTrips starts a tripCounter in front of dsn's server and returns it
// with dsn pointing at it.
func startTrips(dsn string) (*tripCounter, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, "", err
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	t := &tripCounter{ln: ln, target: net.JoinHostPort(u.Hostname(), port)}
	t.wg.Add(1)
	go t.serve()
	u.Host = ln.Addr().String()
	return t, u.String(), nil
}

// Load returns the round trips counted so far.
func (t *tripCounter) Load() int64 { return t.n.Load() }

// Close stops accepting connections.
func (t *tripCounter) Close() error {
	err := t.ln.Close()
	t.wg.Wait()
	return err
}

func (t *tripCounter) serve() {
	defer t.wg.Done()
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		go t.relay(c)
	}
}

// relay connects c to the server and copies both ways, counting c's Sync
// and Query messages.
func (t *tripCounter) relay(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", t.target)
	if err != nil {
		return
	}
	defer s.Close()
	go func() {
		_, _ = io.Copy(c, s)
		c.Close()
	}()
	if err := t.frontend(bufio.NewReaderSize(c, 64<<10), s); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		logf("trips proxy: %v", err)
	}
}

// sslRequest and gssRequest are the codes of the startup packets a server
// answers with one byte, after which the client sends its startup again.
const (
	sslRequest = 80877103
	gssRequest = 80877104
)

// frontend copies the client's messages from r to w, counting Sync ('S')
// and Query ('Q'): first the untyped startup packets, then typed messages.
func (t *tripCounter) frontend(r *bufio.Reader, w io.Writer) error {
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:8]); err != nil {
			return err
		}
		size := binary.BigEndian.Uint32(hdr[:4])
		if size < 8 {
			return fmt.Errorf("startup packet of %d bytes", size)
		}
		if _, err := w.Write(hdr[:8]); err != nil {
			return err
		}
		if _, err := io.CopyN(w, r, int64(size-8)); err != nil {
			return err
		}
		code := binary.BigEndian.Uint32(hdr[4:8])
		if code != sslRequest && code != gssRequest {
			break
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	for {
		if _, err := io.ReadFull(r, hdr[:5]); err != nil {
			return err
		}
		size := binary.BigEndian.Uint32(hdr[1:5])
		if size < 4 {
			return fmt.Errorf("message %q of %s bytes", hdr[0], strconv.Itoa(int(size)))
		}
		if hdr[0] == 'S' || hdr[0] == 'Q' {
			t.n.Add(1)
		}
		if _, err := bw.Write(hdr[:5]); err != nil {
			return err
		}
		if _, err := io.CopyN(bw, r, int64(size-4)); err != nil {
			return err
		}
		if r.Buffered() == 0 { // the client waits: send what it sent
			if err := bw.Flush(); err != nil {
				return err
			}
		}
	}
}
