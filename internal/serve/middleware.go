package serve

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// The middlewares of the handler, each a func(http.Handler) http.Handler
// over an endpoint or over the whole mux (see New for their order).

// measure records every request's status code and latency, by endpoint,
// in the metrics. It is the outermost middleware, so that it counts and
// times every response: 404s, 405s and recovered panics included.
func (h *Handler) measure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := trackStatus(w)
		// Deferred, so that a request aborted by a panic of
		// http.ErrAbortHandler is counted too.
		defer func() { h.metrics.request(h.endpointLabel(r.URL.Path), sw.code(), time.Since(start)) }()
		next.ServeHTTP(sw, r)
	})
}

// recoverPanics turns a panic in next into a 500 response, its stack
// written to Options.Log. A panic after the response began aborts the
// connection instead (by panicking with http.ErrAbortHandler, as does a
// panic of http.ErrAbortHandler itself), so that the client does not take
// a truncated response for a whole one.
func (h *Handler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := trackStatus(w)
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler { // a sentinel panic value, compared as net/http does
				panic(p)
			}
			h.metrics.error(reasonInternal)
			h.logMu.Lock()
			fmt.Fprintf(h.opts.Log, "serve: panic answering %s %s: %v\n%s", r.Method, truncate(r.URL.Path, 200), p, debug.Stack())
			h.logMu.Unlock()
			if sw.status != 0 {
				panic(http.ErrAbortHandler)
			}
			writeJSON(sw, http.StatusInternalServerError, errorBody{Error: "internal error"})
		}()
		next.ServeHTTP(sw, r)
	})
}

// requireJSON refuses with 415 a request whose Content-Type is set and is
// not JSON (isJSON).
func (h *Handler) requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
			h.fail(w, http.StatusUnsupportedMediaType, reasonMediaType,
				"Content-Type "+strconv.Quote(truncate(ct, 100))+" is not JSON: send application/json")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses with 413 a request whose Content-Length is over
// Options.MaxBodyBytes, and limits the body of any other to it: reading
// past the limit fails with an *http.MaxBytesError, which next answers
// with h.tooLarge.
func (h *Handler) limitBody(next http.Handler) http.Handler {
	limit := h.opts.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			h.tooLarge(w)
			return
		}
		// The server's own writer, so that the server learns of an
		// oversized body and closes the connection rather than draining
		// it: http.MaxBytesReader does not unwrap.
		r.Body = http.MaxBytesReader(unwrap(w), r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// unwrap returns the ResponseWriter under w's wrappers.
func unwrap(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}

// statusWriter remembers the status code of the response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// trackStatus returns w as a *statusWriter: w itself if it is one (an
// outer middleware tracks it already), else w wrapped.
func trackStatus(w http.ResponseWriter) *statusWriter {
	if sw, ok := w.(*statusWriter); ok {
		return sw
	}
	return &statusWriter{ResponseWriter: w}
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
