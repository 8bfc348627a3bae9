package enginetest

import (
	"context"
	_ "embed"
	"encoding/json"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/storetest"
)

// previousRelease is what the fixtures of the previous release hold, as
// that release read it back: network "fx" after a few days of check-ins,
// PAYG, bookings, an import, a freeze, a passcode redemption and a failed
// one. The fixtures (store/sqlite/testdata/previous-v1.db,
// store/postgres/testdata/previous-v2.sql) were written by release 64c3ce8
// with the same calls.
//
//go:embed testdata/previous.json
var previousRelease []byte

type upgradeFixture struct {
	Snapshot Snapshot
	Records  []store.Record
	Guard    checkin.Guard
	Terms    []billing.Terms
	Holders  []catalog.Holder
	Products []pass.Product
	Team     catalog.Team
	Network  catalog.Network
	Keys     []string
	Code     string
	CodePass string
	// Secrets are the code hashes and seals of the fixture's passes, by
	// pass ID: a pass's JSON form never carries them (JSON.md), so the
	// fixture keeps them beside it.
	Secrets map[string]passSecrets
}

// passSecrets is a pass's code hash and seal in the upgrade fixture.
type passSecrets struct {
	CodeHash   string `json:"code_hash"`
	CodeSealed string `json:"code_sealed"`
}

// upgradeKey is the passcode key the fixtures' codes were made with.
var upgradeKey = []byte("0123456789abcdef0123456789abcdef")

// CheckUpgrade checks st, a store opened on a database written by the
// previous release and migrated since: every row that release wrote reads
// back as it wrote it (passes, visits, ledger, idempotency records,
// guards, terms, holders, products, team, network), and the Engine goes on
// from it: a retried key returns its first result, an old pass pays a new
// check-in, the old visit left open is checked out, the passcode opens and
// redeems (recording the key's check on first proof).
func CheckUpgrade(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	var want upgradeFixture
	if err := json.Unmarshal(previousRelease, &want); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	for i, p := range want.Snapshot.Passes {
		if sec, ok := want.Secrets[p.ID]; ok {
			want.Snapshot.Passes[i].CodeHash, want.Snapshot.Passes[i].CodeSealed = sec.CodeHash, sec.CodeSealed
		}
	}
	const net = "fx"
	got := upgradeFixture{Keys: want.Keys, Secrets: want.Secrets}
	var err error
	if got.Snapshot, err = Take(ctx, st, net); err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		for _, k := range want.Keys {
			rec, err := tx.Idempotency().Get(ctx, net, k)
			if err != nil {
				return err
			}
			got.Records = append(got.Records, rec)
		}
		if got.Guard, err = tx.Guards().Get(ctx, net, "downtown"); err != nil {
			return err
		}
		if got.Terms, err = tx.Terms().List(ctx, net, "downtown"); err != nil {
			return err
		}
		for _, h := range want.Holders {
			hd, err := tx.Catalog().Holder(ctx, net, h.ID)
			if err != nil {
				return err
			}
			got.Holders = append(got.Holders, hd)
		}
		for _, p := range want.Products {
			pd, err := tx.Catalog().Product(ctx, net, p.ID)
			if err != nil {
				return err
			}
			got.Products = append(got.Products, pd)
		}
		if got.Team, err = tx.Catalog().Team(ctx, net, want.Team.ID); err != nil {
			return err
		}
		got.Network, err = tx.Catalog().Network(ctx, net)
		return err
	})
	if err != nil {
		t.Fatalf("reading the migrated database: %v", err)
	}
	got.Code, got.CodePass = want.Code, want.CodePass
	if d := storetest.Diff(got, want); d != "" {
		t.Fatalf("the migrated database differs from what the previous release wrote: %s", d)
	}
	if n := len(want.Snapshot.Passes) + len(want.Snapshot.Visits) + len(want.Snapshot.Ledger) + len(want.Records); n < 40 {
		t.Fatalf("fixture holds %d rows: too few to show anything", n)
	}

	ny, _ := time.LoadLocation("America/New_York")
	clock := passengine.NewManualClock(time.Date(2026, 3, 5, 12, 0, 0, 0, ny))
	eng := passengine.New(st, passengine.WithClock(clock), passengine.WithIDs(seqIDs("up%05d")), passengine.WithCodeKey(upgradeKey))
	first := want.Records[4] // in-1
	replay, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: first.Key, Network: net, Holder: "ada", Location: "downtown",
		At: time.Date(2026, 3, 2, 9, 0, 0, 0, ny), Actor: "door"})
	if err != nil {
		t.Fatalf("retry of %s after the upgrade: %v", first.Key, err)
	}
	var stored passengine.VisitResult
	if err := json.Unmarshal(first.Result, &stored); err != nil {
		t.Fatal(err)
	}
	if replay.Visit.ID != stored.Visit.ID {
		t.Errorf("retry of %s after the upgrade: got visit %s, want the first result's %s", first.Key, replay.Visit.ID, stored.Visit.ID)
	}
	code, err := eng.Passcode(ctx, net, want.CodePass)
	if err != nil || code != want.Code {
		t.Fatalf("passcode after the upgrade: got %q, %v; want %q", code, err, want.Code)
	}
	in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "up-in", Network: net, Holder: "ada", Location: "downtown"})
	if err != nil || in.Visit.Pass != want.CodePass {
		t.Fatalf("check-in after the upgrade: got pass %q, %v; want the old day pass %s", in.Visit.Pass, err, want.CodePass)
	}
	var open checkin.Visit
	for _, v := range want.Snapshot.Visits {
		if v.Status == checkin.Open {
			open = v
		}
	}
	out, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "up-out", Network: net, Visit: open.ID})
	if err != nil || !out.Visit.AutoClosed {
		t.Fatalf("check-out of the visit open since %s: got %+v, %v; want it closed at its maximum", open.Start, out.Visit, err)
	}
	r, err := eng.Redeem(ctx, passengine.RedeemRequest{Key: "up-redeem", Network: net, Location: "late", Code: want.Code})
	if err != nil {
		t.Fatalf("redeem after the upgrade: %v (%s)", err, r.Outcome)
	}
	var check string
	if err := st.View(ctx, func(tx store.Tx) (err error) { check, err = tx.Catalog().CodeKeyCheck(ctx, net); return err }); err != nil || check == "" {
		t.Errorf("key check after a redemption that proved the key: got %q, %v; want one recorded", check, err)
	}
	if _, err := eng.Payout(ctx, passengine.PayoutRequest{Network: net, From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 31)}); err != nil {
		t.Errorf("payout after the upgrade: %v", err)
	}
	snap, err := Take(ctx, st, net)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.CheckBalances(); err != nil {
		t.Error(err)
	}
}
