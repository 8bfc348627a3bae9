package passengine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/passcode"
	"github.com/passengine/passengine/store"
)

// This file holds the aggregator network calls (RULES P1, P2, P4, Y1):
// passcodes, the lockout options, unlock, feedback eligibility and
// commercial terms. Redeem is in redeem.go, payout statements in payout.go.

// The errors of the aggregator calls. A refused redemption is a
// *RedeemError that unwraps to one of the redemption sentinels.
var (
	// ErrNoCodeKey: a call needs passcodes but the Engine has no usable
	// key (WithCodeKey missing or shorter than 32 bytes).
	ErrNoCodeKey = errors.New("no passcode key: set one with WithCodeKey (at least 32 bytes)")
	// ErrCodeKeyMismatch: the Engine's passcode key is not the one the
	// network's codes were made with (S6). Every passcode call of the
	// network is refused at once, and nothing counts toward a lockout:
	// restart the Engine with the network's key.
	ErrCodeKeyMismatch = errors.New("passcode key is not the one the network's codes were made with")
	// ErrNoPasscode: the pass carries no passcode.
	ErrNoPasscode = errors.New("pass has no passcode")
	// ErrCodesExhausted: no free passcode was found in a bounded number of
	// draws; the network's code space is close to full.
	ErrCodesExhausted = errors.New("no free passcode found")
	// ErrUnknownCode: no pass of the network has the code (P2: counted
	// toward the location's lockout).
	ErrUnknownCode = checkin.ErrUnknownCode
	// ErrLocationLocked: redemption at the location is locked; the
	// *RedeemError carries the instant the lock ends (P2).
	ErrLocationLocked = checkin.ErrLocationLocked
	// ErrNotIncluded: the location is not included in the pass, above its
	// tier or not among its locations (P3, G2, G3).
	ErrNotIncluded = checkin.ErrNotIncluded
	// ErrPassNotUsable: the pass is expired, not yet active, frozen, used
	// up or otherwise not usable by its holder (P3, G4-G6).
	ErrPassNotUsable = checkin.ErrPassNotUsable
	// ErrNoHealthDeclaration: the holder has not completed the health
	// declaration (P3).
	ErrNoHealthDeclaration = checkin.ErrNoHealthDeclaration
)

// RedeemError is a refused redemption: the outcome, the eligibility reason
// of a pass refusal and, for a locked location, when the lock ends.
type RedeemError = checkin.RedeemError

// maxCodeDraws bounds the draws for a free passcode. With codes drawn
// uniformly from 10^8, a network holding a million coded passes needs a
// second draw once in a hundred issues; sixteen draws all taken means the
// code space is nearly full.
const maxCodeDraws = 16

// aggregator is the Engine's passcode and lockout configuration.
type aggregator struct {
	keys    *passcode.Keys
	keyErr  error
	mu      sync.Mutex // serializes reads of source
	source  io.Reader
	lockout checkin.Lockout
	// verified holds the networks whose recorded key check matched keys:
	// a recorded check never changes, so one match holds for the
	// Engine's life.
	verified sync.Map
}

// WithCodeKey sets the host's secret key for passcodes (P1): codes are
// stored as an HMAC-SHA256 keyed from it and sealed with AES-256-GCM keyed
// from it, never in plain text. The key must be at least 32 bytes and stay
// the same for the life of the codes (a new key makes every stored code
// unknown). The Engine keeps a copy. A shorter key makes the calls that
// need codes return ErrNoCodeKey.
func WithCodeKey(key []byte) Option {
	return func(e *Engine) {
		e.agg.keys, e.agg.keyErr = passcode.NewKeys(append([]byte(nil), key...))
	}
}

// WithCodeSource sets the random source passcodes and their seals' nonces
// are drawn from (default: crypto/rand.Reader). Hosts keep the default;
// tests pass a seeded source. The Engine serializes its reads, so a source
// that is not safe for concurrent use is fine.
func WithCodeSource(r io.Reader) Option { return func(e *Engine) { e.agg.source = r } }

// WithLockout sets the passcode lockout (P2): more than l.MaxFailures
// unknown codes at a location within l.Window lock redemption there for
// l.Duration. Fields not above zero keep the defaults of
// checkin.DefaultLockout (5, 15 minutes, 24 hours).
func WithLockout(l checkin.Lockout) Option { return func(e *Engine) { e.agg.lockout = l } }

func (e *Engine) lockout() checkin.Lockout { return e.agg.lockout.OrDefault() }

func (e *Engine) codeKeys() (*passcode.Keys, error) {
	if e.agg.keys == nil {
		if e.agg.keyErr != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoCodeKey, e.agg.keyErr)
		}
		return nil, ErrNoCodeKey
	}
	return e.agg.keys, nil
}

// Read reads from the Engine's code source, one reader at a time.
func (a *aggregator) Read(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.source == nil {
		return rand.Read(p)
	}
	return io.ReadFull(a.source, p)
}

// checkCodeKey compares the check value of the Engine's passcode key with
// the one recorded for the network (S6): another one is
// ErrCodeKeyMismatch. When the network has none yet and record is set (the
// call makes a code, or has just proved the key by finding or opening
// one), it records the Engine's, in tx.
func (e *Engine) checkCodeKey(ctx context.Context, tx store.Tx, network string, k *passcode.Keys, record bool) error {
	if _, ok := e.agg.verified.Load(network); ok {
		return nil
	}
	want := k.Check(network)
	got, err := tx.Catalog().CodeKeyCheck(ctx, network)
	switch {
	case err != nil:
		return err
	case got == want:
		e.agg.verified.Store(network, true)
		return nil
	case got != "":
		return fmt.Errorf("network %s: %w", field.Quote(network), ErrCodeKeyMismatch)
	case record:
		return tx.Catalog().PutCodeKeyCheck(ctx, network, want)
	}
	return nil
}

// assignCode gives p a new passcode (P1): drawn uniformly, unique among the
// network's passes (a drawn code another pass holds, or p's own, is drawn
// again), stored as its keyed hash and sealed for the holder's app. A pass
// that took the same code in a concurrent unit of work makes the store's
// Put return ErrConflict, and the whole unit is retried with a new draw.
// It returns a *FieldError for a team pass or a time pass, and
// ErrCodeKeyMismatch when the network's codes were made with another key.
func (e *Engine) assignCode(ctx context.Context, tx store.Tx, network string, p *pass.Pass) error {
	k, err := e.codeKeys()
	if err != nil {
		return err
	}
	if err := e.checkCodeKey(ctx, tx, network, k, true); err != nil {
		return err
	}
	if p.Holder == "" {
		return field.Invalid("passcode", "a team pass cannot carry a passcode: a code names one holder")
	}
	if p.Kind == pass.Time {
		return field.Invalid("passcode", "a time pass cannot carry a passcode: a redemption has no check-out to deduct minutes at")
	}
	for range maxCodeDraws {
		code, err := passcode.Draw(&e.agg)
		if err != nil {
			return err
		}
		h := k.Hash(p.Network, code)
		_, err = tx.Passes().ByCode(ctx, p.Network, h)
		if err == nil {
			continue // taken
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		sealed, err := k.Seal(&e.agg, p.Network, p.ID, code)
		if err != nil {
			return err
		}
		p.CodeHash, p.CodeSealed = h, sealed
		return nil
	}
	return fmt.Errorf("pass %s: %d draws: %w", p.ID, maxCodeDraws, ErrCodesExhausted)
}

// codeEntry is the audit ledger entry of a code assigned or rotated: no
// units, and never the code.
func codeEntry(p *pass.Pass, what string, at time.Time) pass.Entry {
	return pass.Entry{Network: p.Network, Pass: p.ID, Holder: p.Holder, At: at, Type: pass.EntryCode,
		Balance: p.Balance, Comment: what}
}

// PasscodeRequest gives a pass a new passcode (P1).
type PasscodeRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Pass is the ID of the pass that gets the new code.
	Pass string `json:"pass"`
	// Actor is who asks for the new code, kept on the pass's code ledger
	// entry; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on that entry, free text.
	Comment string `json:"comment,omitempty"`
}

// RotatePasscode gives the pass a new passcode, its first one if it had
// none (a pass issued without IssueRequest.Passcode, or imported), and
// records it with a "code" ledger entry (no units, no code). The old code
// stops working at once. It returns the pass, whose code the holder's app
// reads with Passcode. It returns a *FieldError for bad input, a team pass
// or a time pass, ErrNoCodeKey without a key, ErrCodeKeyMismatch with
// another key than the network's, ErrNotFound for an unknown pass, and an
// *IdempotencyError for a reused key.
func (e *Engine) RotatePasscode(ctx context.Context, req PasscodeRequest) (pass.Pass, error) {
	if err := field.First(validKey(req.Key, req.Network), field.ID("pass", req.Pass),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return pass.Pass{}, err
	}
	if _, err := e.codeKeys(); err != nil {
		return pass.Pass{}, err
	}
	now := e.now()
	return idempotent(ctx, e, req.Network, req.Key, "passcode", req.fingerprint("passcode"), func(tx store.Tx) (pass.Pass, error) {
		if _, err := network(ctx, tx, req.Network); err != nil {
			return pass.Pass{}, err
		}
		p, err := tx.Passes().Get(ctx, req.Network, req.Pass)
		if err != nil {
			return pass.Pass{}, err
		}
		if err := lockOwner(ctx, tx, &p); err != nil {
			return pass.Pass{}, err
		}
		if p, err = tx.Passes().Get(ctx, req.Network, req.Pass); err != nil { // as of the lock
			return pass.Pass{}, err
		}
		what := "passcode rotated"
		if p.CodeHash == "" {
			what = "passcode assigned"
		}
		if err := e.assignCode(ctx, tx, req.Network, &p); err != nil {
			return pass.Pass{}, err
		}
		if err := tx.Passes().Put(ctx, p); err != nil {
			return pass.Pass{}, err
		}
		en := codeEntry(&p, what, now)
		if req.Comment != "" {
			en.Comment = what + ": " + req.Comment
		}
		return p, e.appendEntries(ctx, tx, []pass.Entry{en}, req.Key, req.Actor, "")
	})
}

// Passcode returns the pass's passcode in plain text, for the holder's app
// to show (P1): it opens the sealed copy with the host's key. It returns
// ErrNoCodeKey without a key, ErrCodeKeyMismatch with another key than the
// network's, ErrNotFound for an unknown pass, ErrNoPasscode for a pass
// without a code, and an error wrapping passcode.ErrSealed if the sealed
// copy does not open (a key other than the codes', on a network whose key
// check is not yet recorded).
func (e *Engine) Passcode(ctx context.Context, network, passID string) (string, error) {
	if err := field.First(field.ID("network", network), field.ID("pass", passID)); err != nil {
		return "", err
	}
	k, err := e.codeKeys()
	if err != nil {
		return "", err
	}
	var p pass.Pass
	if err := e.st.View(ctx, func(tx store.Tx) (err error) {
		if err := e.checkCodeKey(ctx, tx, network, k, false); err != nil {
			return err
		}
		p, err = tx.Passes().Get(ctx, network, passID)
		return err
	}); err != nil {
		return "", err
	}
	if p.CodeSealed == "" {
		return "", fmt.Errorf("pass %s: %w", passID, ErrNoPasscode)
	}
	return k.Open(network, passID, p.CodeSealed)
}

// UnlockRequest lifts a location's passcode lock (P2). Actor, the manager,
// is required.
type UnlockRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Location is the ID of the location unlocked.
	Location string `json:"location"`
	// Actor is the manager who unlocks; required.
	Actor string `json:"actor"`
	// Comment is the manager's note, free text.
	Comment string `json:"comment,omitempty"`
}

// UnlockResult is what an unlock did: whether the location was locked and
// until when, how many recent failures it forgot, who unlocked and when.
type UnlockResult struct {
	// Location is the ID of the location.
	Location string `json:"location"`
	// WasLocked is whether the location was locked when the unlock came.
	WasLocked bool `json:"was_locked"`
	// LockedUntil is when the lifted lock would have ended; the zero time when
	// there was none.
	LockedUntil time.Time `json:"locked_until,omitzero"`
	// Failures is how many recent failures the unlock forgot.
	Failures int `json:"failures"`
	// Actor is the manager who unlocked.
	Actor string `json:"actor"`
	// Comment is the manager's note.
	Comment string `json:"comment,omitempty"`
	// At is when the unlock took effect, on the Engine's clock, in UTC.
	At time.Time `json:"at,omitzero"`
}

// Unlock lifts the location's passcode lock and forgets its recent
// failures (P2): a manager's unlock. Unlocking a location that is not
// locked only forgets its failures. The result is kept as the key's
// idempotency record, which is the unlock's audit trail. It returns a
// *FieldError for bad input (no actor), ErrNotFound for an unknown network
// or location, and an *IdempotencyError for a reused key.
func (e *Engine) Unlock(ctx context.Context, req UnlockRequest) (UnlockResult, error) {
	if err := field.First(validKey(req.Key, req.Network), field.ID("location", req.Location), field.Required("actor", req.Actor),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return UnlockResult{}, err
	}
	now := e.now()
	return idempotent(ctx, e, req.Network, req.Key, "unlock", req.fingerprint("unlock"), func(tx store.Tx) (UnlockResult, error) {
		if _, err := network(ctx, tx, req.Network); err != nil {
			return UnlockResult{}, err
		}
		if err := tx.Catalog().LockLocation(ctx, req.Network, req.Location); err != nil {
			return UnlockResult{}, err
		}
		g, err := tx.Guards().Get(ctx, req.Network, req.Location)
		if err != nil {
			return UnlockResult{}, err
		}
		r := UnlockResult{Location: req.Location, WasLocked: g.Locked(now), Failures: len(g.Failures),
			Actor: req.Actor, Comment: req.Comment, At: now}
		if r.WasLocked {
			r.LockedUntil = g.LockedUntil
		}
		g.Unlock()
		return r, tx.Guards().Put(ctx, g)
	})
}

// Guard returns the location's passcode lockout state (P2): its recent
// failures and, while locked, when the lock ends (compare with
// checkin.Guard.Locked). It returns ErrNotFound for an unknown location.
func (e *Engine) Guard(ctx context.Context, network, location string) (checkin.Guard, error) {
	if err := field.First(field.ID("network", network), field.ID("location", location)); err != nil {
		return checkin.Guard{}, err
	}
	var g checkin.Guard
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		if _, err = tx.Catalog().Location(ctx, network, location); err != nil {
			return err
		}
		g, err = tx.Guards().Get(ctx, network, location)
		return err
	})
	return g, err
}

// CanLeaveFeedback reports whether the holder may leave feedback for the
// location (P4): only after a redeemed visit there. It returns a
// *FieldError for bad input and ErrNotFound for an unknown network, holder
// or location.
func (e *Engine) CanLeaveFeedback(ctx context.Context, network, holder, location string) (bool, error) {
	if err := field.First(field.ID("network", network), field.ID("holder", holder), field.ID("location", location)); err != nil {
		return false, err
	}
	var ok bool
	err := e.st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Catalog().Holder(ctx, network, holder); err != nil {
			return err
		}
		if _, err := tx.Catalog().Location(ctx, network, location); err != nil {
			return err
		}
		vs, err := tx.Visits().List(ctx, store.VisitFilter{Network: network, Holder: holder, Location: location,
			Kind: checkin.Redemption, Limit: 1})
		ok = len(vs) > 0
		return err
	})
	return ok, err
}

// PutTerms adds a version of a location's commercial terms (Y1, Y2).
// Versions are immutable: storing a version again is a no-op when it is the
// same (so seeding may run again), and refused with a *TermsExistError
// (ErrExists) when it differs; change terms by adding a version with a
// later EffectiveFrom. A new version may not take effect before now, so
// the version in force at any past instant never changes (and redemptions
// record the version's ID besides). It returns a *FieldError for invalid
// terms (amounts in the network's currency) or a backdated new version,
// a *TermsExistError for a changed version, and ErrNotFound for an
// unknown network or location.
func (e *Engine) PutTerms(ctx context.Context, t billing.Terms) error {
	if err := field.First(field.ID("network", t.Network), field.ID("location", t.Location)); err != nil {
		return err
	}
	t.EffectiveFrom = instantOf(t.EffectiveFrom)
	now := e.now()
	return e.update(ctx, func(tx store.Tx) error {
		n, err := network(ctx, tx, t.Network)
		if err != nil {
			return err
		}
		if err := t.Validate(n.Currency); err != nil {
			return err
		}
		if err := tx.Catalog().LockLocation(ctx, t.Network, t.Location); err != nil {
			return err
		}
		old, err := tx.Terms().Get(ctx, t.Network, t.ID)
		switch {
		case err == nil:
			if old.Same(t) {
				return nil
			}
			return &TermsExistError{Network: t.Network, Location: old.Location, ID: t.ID}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if t.EffectiveFrom.Before(now) {
			return field.Invalid("effective_from", "%s is in the past: a new version takes effect now or later",
				t.EffectiveFrom.Format(time.RFC3339))
		}
		return tx.Terms().Put(ctx, t)
	})
}

// TermsVersions returns the location's commercial terms versions by
// EffectiveFrom then ID (Y1). It returns ErrNotFound for an unknown
// location.
func (e *Engine) TermsVersions(ctx context.Context, network, location string) ([]billing.Terms, error) {
	if err := field.First(field.ID("network", network), field.ID("location", location)); err != nil {
		return nil, err
	}
	var out []billing.Terms
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		if _, err = tx.Catalog().Location(ctx, network, location); err != nil {
			return err
		}
		out, err = tx.Terms().List(ctx, network, location)
		return err
	})
	return out, err
}
