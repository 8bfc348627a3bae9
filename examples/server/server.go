package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// route is one operation of the server: its method and path pattern (Go
// 1.22 ServeMux syntax), and what the OpenAPI document says of it.
type route struct {
	Method      string
	Path        string
	OperationID string
	Summary     string
	// Body is the schema name of the request body; "" for none.
	Body string
	// Result is the schema name of the success body; "" for none, "csv"
	// for a CSV file.
	Result string
	// Write is an idempotent write: 201 for the first call, 200 for a
	// replay, and the Idempotency-Key header is required.
	Write bool
	// Query are the query parameters the operation reads.
	Query []string
}

// handlerFunc handles one request; an error is answered as problem
// details.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// server is the HTTP face of one Engine.
type server struct {
	eng    *passengine.Engine
	log    *slog.Logger
	mux    *http.ServeMux
	routes []route
}

// newServer returns the server of eng with every route registered.
func newServer(eng *passengine.Engine, log *slog.Logger) *server {
	s := &server{eng: eng, log: log, mux: http.NewServeMux()}
	s.register()
	return s
}

// ServeHTTP serves r with the server's routes.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handle registers h for rt on the mux and keeps rt for the OpenAPI
// check.
func (s *server) handle(rt route, h handlerFunc) {
	s.routes = append(s.routes, rt)
	s.mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.problem(w, r, err)
		}
	})
}

// problem answers err as RFC 9457 problem details. The mapping is
// passengine.ProblemOf's alone.
func (s *server) problem(w http.ResponseWriter, r *http.Request, err error) {
	p := passengine.ProblemOf(err)
	p.Instance = r.URL.Path
	if p.Code == passengine.CodeInternal || p.Code == passengine.CodeMisconfigured {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", p.Code, "err", err)
	}
	if p.LockedUntil != nil {
		w.Header().Set("Retry-After", p.LockedUntil.UTC().Format(http.TimeFormat))
	}
	w.Header().Set("Content-Type", passengine.ProblemContentType)
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeStatus returns the status of an idempotent write's answer: 201 for
// a first call, 200 for a replay (the Engine's CallInfo says which). It
// is the one place that decides.
func writeStatus(info *passengine.CallInfo) int {
	if info.Replayed {
		return http.StatusOK
	}
	return http.StatusCreated
}

// idempotent decodes r's body into a request, lets set put the network
// from the path and the key from the Idempotency-Key header into it,
// calls call and answers its result with writeStatus.
func idempotent[Req, Res any](r *http.Request, w http.ResponseWriter, set func(*Req, string, string), call func(context.Context, Req) (Res, error), fromRoute ...string) error {
	var req Req
	if err := decodeBody(r, &req, fromRoute...); err != nil {
		return err
	}
	set(&req, r.PathValue("network"), r.Header.Get("Idempotency-Key"))
	var info passengine.CallInfo
	res, err := call(passengine.WithCallInfo(r.Context(), &info), req)
	if err != nil {
		return err
	}
	return writeJSON(w, writeStatus(&info), res)
}

// queryInt reads the integer query parameter name; 0 when absent.
func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &passengine.FieldError{Name: name, Problem: strconv.Quote(v) + " is not an integer"}
	}
	return n, nil
}

// queryDate reads the date query parameter name (YYYY-MM-DD); the zero
// Date when absent.
func queryDate(r *http.Request, name string) (calendar.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return calendar.Date{}, &passengine.FieldError{Name: name, Problem: strconv.Quote(v) + " is not a date (YYYY-MM-DD)"}
	}
	return d, nil
}

// pageRequest reads the cursor and limit query parameters.
func pageRequest(r *http.Request) (passengine.PageRequest, error) {
	limit, err := queryInt(r, "limit")
	return passengine.PageRequest{Cursor: r.URL.Query().Get("cursor"), Limit: limit}, err
}

// list answers one page of a network's list read by read.
func list[T any](read func(context.Context, string, passengine.PageRequest) (passengine.Page[T], error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		req, err := pageRequest(r)
		if err != nil {
			return err
		}
		page, err := read(r.Context(), r.PathValue("network"), req)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, page)
	}
}

// get answers the item read by read, named by the path value id.
func get[T any](id string, read func(context.Context, string, string) (T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := read(r.Context(), r.PathValue("network"), r.PathValue(id))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, v)
	}
}

// put decodes a catalog item, sets its network and ID from the path, puts
// it, and answers what put stored, read back by read.
func put[T any](id string, set func(*T, string, string), store func(context.Context, T) error, read func(context.Context, string, string) (T, error), fromRoute ...string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var v T
		if err := decodeBody(r, &v, append([]string{"id"}, fromRoute...)...); err != nil {
			return err
		}
		set(&v, r.PathValue("network"), r.PathValue(id))
		if err := store(r.Context(), v); err != nil {
			return err
		}
		got, err := read(r.Context(), r.PathValue("network"), r.PathValue(id))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, got)
	}
}

// netPath is the prefix of every route of a network.
const netPath = "/v1/networks/{network}"

// register registers every route: the server's whole API.
func (s *server) register() {
	e := s.eng
	page := []string{"cursor", "limit"}

	s.handle(route{Method: "GET", Path: "/healthz", OperationID: "health", Summary: "Whether the server and its store answer", Result: "Health"},
		func(w http.ResponseWriter, r *http.Request) error {
			if err := e.Store().View(r.Context(), func(store.Tx) error { return nil }); err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		})

	// Catalog seeding: PUT is idempotent; the IDs come from the path.
	s.handle(route{Method: "PUT", Path: netPath, OperationID: "putNetwork", Summary: "Create or update the network", Body: "Network", Result: "Network"},
		put("network", func(n *catalog.Network, network, _ string) { n.ID = network }, e.PutNetwork,
			func(ctx context.Context, network, _ string) (catalog.Network, error) { return e.Network(ctx, network) }))
	s.handle(route{Method: "GET", Path: netPath, OperationID: "getNetwork", Summary: "The network", Result: "Network"},
		func(w http.ResponseWriter, r *http.Request) error {
			n, err := e.Network(r.Context(), r.PathValue("network"))
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, n)
		})
	s.handle(route{Method: "PUT", Path: netPath + "/locations/{location}", OperationID: "putLocation", Summary: "Create or update a location", Body: "Location", Result: "Location"},
		put("location", func(l *catalog.Location, network, id string) { l.Network, l.ID = network, id }, e.PutLocation, e.Location))
	s.handle(route{Method: "GET", Path: netPath + "/locations", OperationID: "listLocations", Summary: "The network's locations, by ID", Result: "LocationPage", Query: page},
		list(e.Locations))
	s.handle(route{Method: "GET", Path: netPath + "/locations/{location}", OperationID: "getLocation", Summary: "A location", Result: "Location"},
		get("location", e.Location))
	s.handle(route{Method: "PUT", Path: netPath + "/locations/{location}/terms/{terms}", OperationID: "putTerms", Summary: "Store a version of a location's commercial terms (the same version again is a no-op; a changed one is refused with code exists)", Body: "Terms", Result: "Terms"},
		func(w http.ResponseWriter, r *http.Request) error {
			var t billing.Terms
			if err := decodeBody(r, &t, "id", "location"); err != nil {
				return err
			}
			t.Network, t.Location, t.ID = r.PathValue("network"), r.PathValue("location"), r.PathValue("terms")
			if err := e.PutTerms(r.Context(), t); err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, t)
		})
	s.handle(route{Method: "PUT", Path: netPath + "/products/{product}", OperationID: "putProduct", Summary: "Create or update a product", Body: "Product", Result: "Product"},
		put("product", func(p *pass.Product, network, id string) { p.Network, p.ID = network, id }, e.PutProduct, e.Product))
	s.handle(route{Method: "GET", Path: netPath + "/products", OperationID: "listProducts", Summary: "The network's products, by ID", Result: "ProductPage", Query: page},
		list(e.Products))
	s.handle(route{Method: "GET", Path: netPath + "/products/{product}", OperationID: "getProduct", Summary: "A product", Result: "Product"},
		get("product", e.Product))
	s.handle(route{Method: "PUT", Path: netPath + "/payg/{payg}", OperationID: "putPAYG", Summary: "Create or update a pay-as-you-go product", Body: "PAYG", Result: "PAYG"},
		put("payg", func(p *billing.PAYG, network, id string) { p.Network, p.ID = network, id }, e.PutPAYG, e.PAYG))
	s.handle(route{Method: "PUT", Path: netPath + "/holders/{holder}", OperationID: "putHolder", Summary: "Create or update a holder", Body: "Holder", Result: "Holder"},
		put("holder", func(h *catalog.Holder, network, id string) { h.Network, h.ID = network, id }, e.PutHolder, e.Holder))
	s.handle(route{Method: "GET", Path: netPath + "/holders", OperationID: "listHolders", Summary: "The network's holders, by ID", Result: "HolderPage", Query: page},
		list(e.Holders))
	s.handle(route{Method: "GET", Path: netPath + "/holders/{holder}", OperationID: "getHolder", Summary: "A holder", Result: "Holder"},
		get("holder", e.Holder))
	s.handle(route{Method: "GET", Path: netPath + "/holders/{holder}/passes", OperationID: "listHolderPasses", Summary: "A holder's passes with their status today, in issue order", Result: "PassViews", Query: []string{"offset", "limit"}},
		func(w http.ResponseWriter, r *http.Request) error {
			offset, err := queryInt(r, "offset")
			if err != nil {
				return err
			}
			limit, err := queryInt(r, "limit")
			if err != nil {
				return err
			}
			ps, err := e.Passes(r.Context(), passengine.PassFilter{Network: r.PathValue("network"), Holder: r.PathValue("holder"), Offset: offset, Limit: limit})
			if err != nil {
				return err
			}
			if ps == nil {
				ps = []passengine.PassView{}
			}
			return writeJSON(w, http.StatusOK, ps)
		})

	// Passes.
	s.handle(route{Method: "POST", Path: netPath + "/passes", OperationID: "issuePass", Summary: "Issue a pass of a product to a holder or team", Body: "IssueRequest", Result: "Pass", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.IssueRequest, n, k string) { q.Network, q.Key = n, k }, e.IssuePass)
		})
	s.handle(route{Method: "GET", Path: netPath + "/passes/{pass}", OperationID: "getPass", Summary: "A pass with its status today", Result: "PassView"},
		get("pass", e.Pass))
	s.handle(route{Method: "GET", Path: netPath + "/passes/{pass}/passcode", OperationID: "getPasscode", Summary: "A pass's passcode (needs the server's passcode key)", Result: "Passcode"},
		func(w http.ResponseWriter, r *http.Request) error {
			code, err := e.Passcode(r.Context(), r.PathValue("network"), r.PathValue("pass"))
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, map[string]string{"pass": r.PathValue("pass"), "code": code})
		})

	// Visits.
	s.handle(route{Method: "POST", Path: netPath + "/check-ins", OperationID: "checkIn", Summary: "Check a holder in at a location", Body: "CheckInRequest", Result: "VisitResult", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.CheckInRequest, n, k string) { q.Network, q.Key = n, k }, e.CheckIn)
		})
	s.handle(route{Method: "POST", Path: netPath + "/check-ins/explain", OperationID: "explainCheckIn", Summary: "What a check-in would do now, with every pass's reason; writes nothing", Body: "CheckInRequest", Result: "VisitResult"},
		func(w http.ResponseWriter, r *http.Request) error {
			var q passengine.CheckInRequest
			if err := decodeBody(r, &q); err != nil {
				return err
			}
			q.Network, q.Key = r.PathValue("network"), r.Header.Get("Idempotency-Key")
			res, err := e.Explain(r.Context(), q)
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, res)
		})
	s.handle(route{Method: "POST", Path: netPath + "/visits/{visit}/check-out", OperationID: "checkOut", Summary: "Check an open visit out", Body: "CheckOutRequest", Result: "VisitResult", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.CheckOutRequest, n, k string) {
				q.Network, q.Key, q.Visit = n, k, r.PathValue("visit")
			}, e.CheckOut, "visit")
		})
	s.handle(route{Method: "POST", Path: netPath + "/bookings", OperationID: "book", Summary: "Book a class for a holder", Body: "BookRequest", Result: "VisitResult", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.BookRequest, n, k string) { q.Network, q.Key = n, k }, e.Book)
		})
	s.handle(route{Method: "POST", Path: netPath + "/visits/{visit}/cancel", OperationID: "cancelBooking", Summary: "Cancel a booking", Body: "CancelRequest", Result: "VisitResult", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.CancelRequest, n, k string) { q.Network, q.Key, q.Visit = n, k, r.PathValue("visit") }, e.CancelBooking, "visit")
		})
	s.handle(route{Method: "POST", Path: netPath + "/redemptions", OperationID: "redeem", Summary: "Redeem an aggregator passcode at a location", Body: "RedeemRequest", Result: "RedeemResult", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.RedeemRequest, n, k string) { q.Network, q.Key = n, k }, e.Redeem)
		})
	s.handle(route{Method: "GET", Path: netPath + "/visits", OperationID: "listVisits", Summary: "Visits by start: the network's, a holder's, a location's, by status (open: who is in now), in a period of service dates", Result: "VisitPage",
		Query: []string{"holder", "location", "status", "from", "to", "cursor", "limit"}},
		func(w http.ResponseWriter, r *http.Request) error {
			q := r.URL.Query()
			f := passengine.VisitFilter{Network: r.PathValue("network"), Holder: q.Get("holder"), Location: q.Get("location"),
				Status: checkin.Status(q.Get("status")), Cursor: q.Get("cursor")}
			var err error
			if f.From, err = queryDate(r, "from"); err != nil {
				return err
			}
			if f.To, err = queryDate(r, "to"); err != nil {
				return err
			}
			if f.Limit, err = queryInt(r, "limit"); err != nil {
				return err
			}
			page, err := e.Visits(r.Context(), f)
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, page)
		})
	s.handle(route{Method: "GET", Path: netPath + "/visits/{visit}", OperationID: "getVisit", Summary: "A visit", Result: "Visit"},
		get("visit", e.Visit))
	s.handle(route{Method: "GET", Path: netPath + "/occupancy", OperationID: "occupancy", Summary: "How many holders are checked in at each location now", Result: "OccupancyPage", Query: page},
		list(e.Occupancy))
	s.handle(route{Method: "GET", Path: netPath + "/payout.csv", OperationID: "payoutCSV", Summary: "The payout statement of a period as CSV", Result: "csv", Query: []string{"from", "to", "location"}},
		func(w http.ResponseWriter, r *http.Request) error {
			req := passengine.PayoutRequest{Network: r.PathValue("network"), Location: r.URL.Query().Get("location")}
			var err error
			if req.From, err = queryDate(r, "from"); err != nil {
				return err
			}
			if req.To, err = queryDate(r, "to"); err != nil {
				return err
			}
			var b bytes.Buffer // an error answers a problem, never half a file
			if err := e.WritePayoutCSV(r.Context(), req, &b); err != nil {
				return err
			}
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, err = w.Write(b.Bytes())
			return err
		})

	// Prepaid accounts.
	s.handle(route{Method: "POST", Path: netPath + "/holders/{holder}/account/deposits", OperationID: "deposit", Summary: "Deposit money on a holder's prepaid account", Body: "DepositRequest", Result: "AccountResult", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.DepositRequest, n, k string) {
				q.Network, q.Key, q.Holder = n, k, r.PathValue("holder")
			}, e.Deposit, "holder")
		})
	s.handle(route{Method: "GET", Path: netPath + "/holders/{holder}/account", OperationID: "getAccount", Summary: "A holder's prepaid account and balance", Result: "Account"},
		get("holder", e.Account))
	s.handle(route{Method: "GET", Path: netPath + "/holders/{holder}/account/entries", OperationID: "listAccountEntries", Summary: "A holder's prepaid account entries", Result: "EntryPage", Query: page},
		func(w http.ResponseWriter, r *http.Request) error {
			pr, err := pageRequest(r)
			if err != nil {
				return err
			}
			page, err := e.AccountEntries(r.Context(), passengine.AccountEntriesRequest{Network: r.PathValue("network"), Holder: r.PathValue("holder"), Cursor: pr.Cursor, Limit: pr.Limit})
			if err != nil {
				return err
			}
			if page.Entries == nil {
				page.Entries = []wallet.Entry{} // an empty list is [], never null
			}
			return writeJSON(w, http.StatusOK, page)
		})

	// Multipass cards.
	s.handle(route{Method: "POST", Path: netPath + "/cards", OperationID: "issueCard", Summary: "Issue a multipass card of a program to a holder", Body: "IssueCardRequest", Result: "CardView", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.IssueCardRequest, n, k string) { q.Network, q.Key = n, k }, e.IssueCard)
		})
	s.handle(route{Method: "POST", Path: netPath + "/cards/{card}/visits", OperationID: "addCardVisits", Summary: "Add prepaid visits to a card", Body: "VisitsRequest", Result: "CardView", Write: true},
		func(w http.ResponseWriter, r *http.Request) error {
			return idempotent(r, w, func(q *passengine.VisitsRequest, n, k string) { q.Network, q.Key, q.Card = n, k, r.PathValue("card") }, e.AddVisits, "card")
		})
	s.handle(route{Method: "GET", Path: netPath + "/cards/{card}", OperationID: "getCard", Summary: "A card with its status and metrics", Result: "CardView"},
		get("card", e.Card))
}
