package serve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// loadConn is a load test worker's HTTP/1.1 connection: it writes
// requests encoded beforehand and reads their responses itself, with no
// allocation, goroutine or timer of its own per request. net/http's
// client takes three goroutines, a dozen allocations and a timer for
// each request, which a load generator sharing its machine's cores with
// the server pays for in the server's latencies.
type loadConn struct {
	addr   string // host:port, dialled
	dialer net.Dialer
	// c is the connection, nil when closed. Only the worker sets it, under
	// mu, which abort takes to close it from another goroutine.
	mu      sync.Mutex
	aborted bool
	c       net.Conn
	r       *bufio.Reader
	reused  bool   // a response was read on c
	errBody []byte // the start of an error response's body
}

// loadConnBuffer is the size of a connection's read buffer: a response's
// status line or header line must fit in it.
const loadConnBuffer = 16 << 10

// errBodyLimit is how much of an error response's body a failure
// message quotes.
const errBodyLimit = 200

func newLoadConn(addr string) *loadConn {
	return &loadConn{addr: addr, dialer: net.Dialer{KeepAlive: 30 * time.Second}}
}

// do sends req, a whole HTTP/1.1 request, and reads its response, by
// deadline. It returns the response's status code, or the transport's
// error. A connection that the server closed while it was idle (the
// request is answered by nothing but the end of the connection) is
// replaced and the request sent again once, as net/http's client does.
func (lc *loadConn) do(req []byte, deadline time.Time) (int, error) {
	for attempt := 0; ; attempt++ {
		if lc.c == nil {
			if err := lc.dial(deadline); err != nil {
				return 0, err
			}
		}
		reused := lc.reused
		status, err := lc.roundTrip(req, deadline)
		if err == nil {
			return status, nil
		}
		lc.close()
		if !(reused && attempt == 0 && errors.Is(err, errIdleClosed)) {
			return 0, err
		}
	}
}

// errIdleClosed is a connection that ended before the first byte of the
// response.
var errIdleClosed = errors.New("server closed the connection")

func (lc *loadConn) dial(deadline time.Time) error {
	d := lc.dialer
	d.Deadline = deadline
	c, err := d.Dial("tcp", lc.addr)
	if err != nil {
		return opError(err)
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.aborted {
		c.Close()
		return errAborted
	}
	lc.c, lc.reused = c, false
	if lc.r == nil {
		lc.r = bufio.NewReaderSize(c, loadConnBuffer)
	} else {
		lc.r.Reset(c)
	}
	return nil
}

func (lc *loadConn) close() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.c != nil {
		lc.c.Close()
		lc.c = nil
	}
}

// errAborted is a request on an aborted connection.
var errAborted = errors.New("load test cancelled")

// abort closes the connection, which ends its request in flight with an
// error, and keeps it from dialling again. It is safe to call from any
// goroutine.
func (lc *loadConn) abort() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.aborted = true
	if lc.c != nil {
		lc.c.Close()
	}
}

// roundTrip writes req and reads the response on the open connection,
// which it leaves open for the next request unless the response says
// otherwise.
func (lc *loadConn) roundTrip(req []byte, deadline time.Time) (int, error) {
	if err := lc.c.SetDeadline(deadline); err != nil {
		return 0, opError(err)
	}
	if _, err := lc.c.Write(req); err != nil {
		if isClosedByPeer(err) {
			return 0, errIdleClosed
		}
		return 0, opError(err)
	}
	if _, err := lc.r.Peek(1); err != nil {
		if isClosedByPeer(err) {
			return 0, errIdleClosed
		}
		return 0, opError(err)
	}
	status, keep, err := lc.readResponse()
	if err != nil {
		return 0, err
	}
	lc.reused = true
	if !keep {
		lc.close()
	}
	return status, nil
}

// isClosedByPeer reports whether err is the end of a connection that the
// server closed: EOF, a reset or a broken pipe.
func isClosedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// opError drops the addresses from a *net.OpError (read tcp
// 127.0.0.1:51234->127.0.0.1:8080: i/o timeout), whose local port would
// make every connection's error a kind of its own in the report.
func opError(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op != "dial" {
		return fmt.Errorf("%s: %w", oe.Op, oe.Err)
	}
	return err
}

// readResponse reads a response's status line, header and body (by its
// Content-Length, chunked, or up to the end of the connection), keeping
// the start of the body of a status other than 200 in lc.errBody. It
// reports whether the connection stays open.
func (lc *loadConn) readResponse() (status int, keep bool, err error) {
	r := lc.r
	for {
		var minor byte
		status, minor, err = readStatusLine(r)
		if err != nil {
			return 0, false, err
		}
		length, chunked, closing, err := readHeader(r)
		if err != nil {
			return 0, false, err
		}
		if status >= 100 && status < 200 {
			continue // an interim response: the final one follows
		}
		keep = !closing && minor >= '1'
		lc.errBody = lc.errBody[:0]
		switch {
		case status == 204 || status == 304 || status < 200:
		case chunked:
			err = lc.readChunked(status)
		case length >= 0:
			err = lc.readBody(length, status)
		default: // the body runs to the end of the connection
			keep = false
			err = lc.readBody(-1, status)
		}
		if err != nil {
			return 0, false, err
		}
		return status, keep, nil
	}
}

// readBody reads n bytes of body, or up to EOF if n < 0.
func (lc *loadConn) readBody(n int64, status int) error {
	for n != 0 {
		want := lc.r.Buffered()
		if want == 0 {
			if _, err := lc.r.Peek(1); err != nil {
				if n < 0 && err == io.EOF {
					return nil
				}
				return bodyError(err)
			}
			want = lc.r.Buffered()
		}
		if n > 0 && int64(want) > n {
			want = int(n)
		}
		b, _ := lc.r.Peek(want)
		lc.keep(b, status)
		lc.r.Discard(want)
		if n > 0 {
			n -= int64(want)
		}
	}
	return nil
}

// readChunked reads a chunked body and its trailer.
func (lc *loadConn) readChunked(status int) error {
	for {
		line, err := readLine(lc.r)
		if err != nil {
			return bodyError(err)
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i] // a chunk extension
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("reading the response: bad chunk size %q", truncate(string(line), 40))
		}
		if size == 0 {
			for { // the trailer, up to an empty line
				line, err := readLine(lc.r)
				if err != nil {
					return bodyError(err)
				}
				if len(line) == 0 {
					return nil
				}
			}
		}
		if err := lc.readBody(size, status); err != nil {
			return err
		}
		if line, err := readLine(lc.r); err != nil {
			return bodyError(err)
		} else if len(line) != 0 {
			return errors.New("reading the response: chunk not followed by CRLF")
		}
	}
}

// keep appends the start of an error response's body to lc.errBody.
func (lc *loadConn) keep(b []byte, status int) {
	if status != 200 && len(lc.errBody) < errBodyLimit {
		lc.errBody = append(lc.errBody, b[:min(len(b), errBodyLimit-len(lc.errBody))]...)
	}
}

func bodyError(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading the response: %w", opError(err))
}

// readLine reads a line without its CRLF (or LF); it fails on a line
// longer than the reader's buffer.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, errors.New("line longer than the buffer")
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// readStatusLine reads "HTTP/1.x NNN reason" and returns NNN and x.
func readStatusLine(r *bufio.Reader) (int, byte, error) {
	line, err := readLine(r)
	if err != nil {
		return 0, 0, bodyError(err)
	}
	// "HTTP/1.1 200" at least, then a space and the reason, if any.
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' || len(line) > 12 && line[12] != ' ' {
		return 0, 0, fmt.Errorf("reading the response: malformed status line %q", truncate(string(line), 60))
	}
	status := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, 0, fmt.Errorf("reading the response: malformed status line %q", truncate(string(line), 60))
		}
		status = status*10 + int(c-'0')
	}
	return status, line[7], nil
}

// readHeader reads a response's header fields up to the empty line: its
// Content-Length (-1 if none), whether it is chunked, and whether the
// server closes the connection after it.
func readHeader(r *bufio.Reader) (length int64, chunked, closing bool, err error) {
	length = -1
	for {
		line, err := readLine(r)
		if err != nil {
			return 0, false, false, bodyError(err)
		}
		if len(line) == 0 {
			return length, chunked, closing, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, false, fmt.Errorf("reading the response: malformed header line %q", truncate(string(line), 60))
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 {
				return 0, false, false, fmt.Errorf("reading the response: bad Content-Length %q", truncate(string(value), 40))
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = !bytes.EqualFold(value, []byte("identity"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = closing || bytes.EqualFold(value, []byte("close"))
		}
	}
}
