// Command server is a reference JSON HTTP service on passengine, built on
// its public API and the embedded SQLite store: catalog seeding, passes,
// check-in and check-out, explain, bookings, passcode redemption, the
// reads (cursor lists, visits by status, occupancy), the payout CSV, the
// prepaid account and the multipass card calls. Every route is under
// /v1/networks/{network}: the network comes from the path, never from a
// body, and the idempotency key from the Idempotency-Key header. Errors
// are RFC 9457 problem details made by passengine.ProblemOf alone
// (ERRORS.md); a first write answers 201, its replay 200.
//
// Without -addr it runs a short demo and exits: it starts on a random
// local port with a SQLite file in a temporary directory, drives a few
// requests against itself, prints what they answered and shuts down.
// With -addr it serves until SIGINT or SIGTERM, then shuts down
// gracefully.
//
//	go run ./examples/server                        # the demo
//	go run ./examples/server -addr :8080            # serve passengine-server.db
//	go run ./examples/server -addr :8080 -db x.db   # another SQLite file
//
// Passcodes need the host's key: set PASSENGINE_CODE_KEY (at least 32
// bytes) before serving; without it the passcode routes answer
// "misconfigured". The demo uses a key of its own.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/store/sqlite"
)

func main() {
	addr := flag.String("addr", "", "address to serve on (\":8080\"); empty: run the demo and exit")
	dbPath := flag.String("db", "passengine-server.db", "SQLite file the server keeps its data in (with -addr)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var err error
	if *addr == "" {
		err = demo(context.Background(), log)
	} else {
		err = serve(*addr, *dbPath, log)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// openEngine opens (and migrates) the SQLite file at path and returns an
// Engine on it with the passcode key codeKey (none when empty) and opts,
// and the function that closes the store.
func openEngine(ctx context.Context, path string, codeKey []byte, opts ...passengine.Option) (*passengine.Engine, func() error, error) {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	if len(codeKey) > 0 {
		opts = append(opts, passengine.WithCodeKey(codeKey))
	}
	return passengine.New(st, opts...), st.Close, nil
}

// serve serves on addr until SIGINT or SIGTERM, then lets the requests
// in flight finish (at most 10 seconds) and closes the store.
func serve(addr, dbPath string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	eng, closeStore, err := openEngine(ctx, dbPath, []byte(os.Getenv("PASSENGINE_CODE_KEY")))
	if err != nil {
		return err
	}
	defer closeStore()
	srv := &http.Server{Addr: addr, Handler: newServer(eng, log), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	log.Info("serving", "addr", addr, "db", dbPath)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// demo starts the server on a random local port with a SQLite file in a
// temporary directory, drives a few requests against it, prints what they
// answered, and shuts it down. It returns an error when an answer is not
// the one expected.
func demo(ctx context.Context, log *slog.Logger) error {
	dir, err := os.MkdirTemp("", "passengine-server-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	eng, closeStore, err := openEngine(ctx, filepath.Join(dir, "demo.db"), key)
	if err != nil {
		return err
	}
	defer closeStore()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newServer(eng, log), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()
	fmt.Println("passengine reference server: demo on", base)
	c := &demoClient{base: base + "/v1/networks/demo", http: &http.Client{Timeout: 10 * time.Second}}
	runErr := c.run()
	shutdownCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Println("server shut down")
	return runErr
}
